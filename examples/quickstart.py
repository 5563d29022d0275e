"""Quickstart: diagnose one rejection on the bundled knowledge base and print why.

Run:  python examples/quickstart.py
"""

import rejection_diagnosis as rd

# "Great final round. The recruiter mentioned someone already on the team had applied.
#  They said I'd hear in a week; it took three, then a form email."
case = {
    "interview_felt_great": True,
    "internal_candidate_mentioned": True,
    "decision_slower_than_promised": True,
    "rejection_format": "generic_email",
}

dx = rd.diagnose(case)

print("Most likely:", dx.causes[0].title if dx.causes else "not enough evidence")
for cause in dx.causes:
    print(f"  {cause.certainty:.2f}  {cause.id}")
print()
print(dx.explain())
