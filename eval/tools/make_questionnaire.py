import yaml, sys
obs = yaml.safe_load(open(sys.argv[1]))["observations"]
out = ["# Questionnaire: the observations a candidate can report", "",
       "Answer each question ONLY from what the candidate's own account says. Leave out (do not write) any",
       "observation the account does not let you answer: unknown is not 'no'. Write `false` only when the",
       "account says or clearly implies the thing did not happen. For a value you are unsure of, or a rough or",
       "lower-bound figure, write `{value: X, certainty: 0.5-0.9}`. Numbers are plain numbers (days, weeks, counts).", ""]
group = None
for o in obs:
    if o.get("group") != group:
        group = o.get("group"); out += ["", f"## {group}", ""]
    t = o["type"]
    if t == "category": t += " one of: " + ", ".join(o["values"])
    if t == "number":
        t += (f" ({o['unit']})" if o.get("unit") else "") + (f" range {o['range']}" if o.get("range") else "")
    desc = " ".join(str(o.get("description","")).split())
    q = " ".join(str(o["question"]).split())
    out.append(f"- `{o['id']}` [{t}]: {q}\n  ({desc})")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
print(len(obs))
