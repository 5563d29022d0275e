"""Diagnose many cases with a Dask bag: the path for users who outgrow one machine.

A diagnosis is a pure function of (rules, case), so it maps onto any engine that runs a
Python function per partition. Each partition loads the knowledge base once (a cache hit
after the first time in a worker process) and diagnoses its cases; results are plain
JSON-ready dicts, which every engine can move around. Here Dask runs locally with
processes; pointing the same code at a ``dask.distributed`` cluster (or writing the
partition function for Spark's ``rdd.mapPartitions``) changes nothing else.

It needs Dask, the ``dask`` extra of this package. Run it::

    pip install 'rejection-diagnosis[dask]'
    python examples/distributed_dask.py
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rejection_diagnosis as rd

try:
    import dask.bag as db
except ImportError as exc:
    raise SystemExit("examples/distributed_dask.py needs Dask, the 'dask' extra: "
                     "pip install 'rejection-diagnosis[dask]'") from exc


def diagnose_partition(cases: Iterable[dict[str, Any]],
                       rule_paths: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Diagnose one partition: one knowledge-base load, then one dict per case.

    Returns a list, not a generator: a partition's result must pickle.
    """
    kb = rd.load_rules(*rule_paths)  # the bundled rules when no path is given
    out = []
    for result in kb.diagnose_many(cases):  # in this process, in order, errors per case
        if result.diagnosis is not None:
            out.append(result.diagnosis.to_dict())
        else:
            out.append({"error": str(result.error)})
    return out


def main() -> list[dict[str, Any]]:
    """Diagnose a few hundred cases on four partitions and summarise the top causes."""
    cases = [
        {"posting_reposted": i % 2 == 0, "decision_slower_than_promised": i % 3 == 0}
        for i in range(400)
    ]
    bag = db.from_sequence(cases, npartitions=4)
    results = bag.map_partitions(diagnose_partition).compute(scheduler="processes",
                                                            num_workers=2)
    tops: dict[str, int] = {}
    for r in results:
        top = r["causes"][0]["id"] if r.get("causes") else "(insufficient evidence)"
        tops[top] = tops.get(top, 0) + 1
    for cause, count in sorted(tops.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{count:5d}  {cause}")
    return results


if __name__ == "__main__":
    main()
