"""Blind briefs: only what the candidate saw (observations + candidate_state), nothing else."""
import yaml, sys
src, out, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
cases = yaml.safe_load(open(src))['cases']
batches = [cases[i:i+size] for i in range(0, len(cases), size)]
for n, batch in enumerate(batches, 1):
    lines = []
    for c in batch:
        lines.append(f"## {c['id']}")
        lines.append("What happened (as the candidate saw it, before learning any reason):")
        lines += [f"- {o}" for o in c.get('observations') or []]
        st = c.get('candidate_state') or []
        if st:
            lines.append("The candidate's own situation and feelings:")
            lines += [f"- {o}" for o in st]
        lines.append("")
    open(f"{out}_{n}.md", "w").write("\n".join(lines))
    print(f"{out}_{n}.md", len(batch), batch[0]['id'], batch[-1]['id'])
