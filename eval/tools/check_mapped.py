"""Check mapped case files against the vocabulary: python3 check_mapped.py VOCAB.yaml FILE..."""
import yaml, sys
obs = {o['id']: o for o in yaml.safe_load(open(sys.argv[1]))['observations']}
bad = 0
for f in sys.argv[2:]:
    data = yaml.safe_load(open(f)) or {}
    for k, v in data.items():
        o = obs.get(k)
        val = v['value'] if isinstance(v, dict) else v
        cert = v.get('certainty', 1) if isinstance(v, dict) else 1
        err = None
        if o is None: err = 'unknown observation'
        elif o['type'] == 'boolean' and not isinstance(val, bool): err = 'must be true/false'
        elif o['type'] == 'number' and (isinstance(val, bool) or not isinstance(val, (int, float))): err = 'must be a number'
        elif o['type'] == 'number' and o.get('range') and not (o['range'][0] <= val <= o['range'][1]): err = f"outside {o['range']}"
        elif o['type'] == 'category' and val not in o['values']: err = f"must be one of {o['values']}"
        elif not (0 < cert <= 1): err = 'certainty must be in (0, 1]'
        if err: bad += 1; print(f"{f}: {k}: {err}")
print('ok' if not bad else f'{bad} problems')
