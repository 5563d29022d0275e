"""A custom rule set: extend the bundled knowledge base with a new cause, and test it.

The rule set is in ``examples/custom_rules/agency.yaml`` and its tests (scenarios) in
``examples/custom_rules/scenarios/``. The same check runs on the command line:

    rejection-diagnosis diagnose CASE.yaml --rules <bundled> --rules examples/custom_rules/

Run:  python examples/custom_rule_set.py
"""

from pathlib import Path

import rejection_diagnosis as rd
from rejection_diagnosis.loader import bundled_rules_path
from rejection_diagnosis.scenarios import load_scenarios, run_scenario

HERE = Path(__file__).parent / "custom_rules"

kb = rd.load_rules(bundled_rules_path(), HERE)
print(kb)

failed = 0
for scenario in load_scenarios(HERE / "scenarios"):
    _, failures = run_scenario(kb, scenario)
    print("ok  " if not failures else "FAIL", scenario.name)
    for failure in failures:
        print("     ", failure)
    failed += bool(failures)

dx = kb.diagnose({"applied_through_agency": True, "agency_fee_mentioned": True})
print()
print(dx.explain())
raise SystemExit(1 if failed else 0)
