#!/usr/bin/env python3
"""Writes a large `terraform show -json` plan for scripts/bench-plan.sh.

Repeats real `resource_changes` entries from tests/fixtures/terraform (creates from
basic_7-create-hundreds, replacements and no-ops from basic_1-modify, deletions from
basic_2-delete, a tainted replacement from action_reason) under a unique module prefix per
round, so every address stays unique, until the file reaches the target size. Prints the
expected action counts as JSON on stdout so the benchmark can check both tools agree.

usage: gen_plan.py <fixtures/terraform dir> <out.json> <target MB>
"""
import collections
import json
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    fixtures, out_path, target_mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sources = [
        load(f"{fixtures}/terraform-plan-comment/basic_7-create-hundreds.plan.json"),
        load(f"{fixtures}/terraform-plan-comment/basic_1-modify.plan.json"),
        load(f"{fixtures}/terraform-plan-comment/basic_2-delete.plan.json"),
        load(f"{fixtures}/terraform-json/action_reason.plan.json"),
    ]
    entries = [rc for plan in sources for rc in plan["resource_changes"]]
    head = sources[0]
    target = int(target_mb * 1024 * 1024)
    counts = collections.Counter()
    written = 0
    with open(out_path, "w", encoding="utf-8") as out:
        prefix = json.dumps(
            {"format_version": head["format_version"], "terraform_version": head["terraform_version"]},
            separators=(",", ":"),
        )[:-1]
        out.write(prefix + ',"resource_changes":[')
        written += len(prefix) + 21
        first = True
        rnd = 0
        while written < target:
            module = f"module.bench{rnd}"
            for rc in entries:
                rc = dict(rc)
                rc["address"] = f"{module}.{rc['address']}"
                rc["module_address"] = module
                chunk = json.dumps(rc, separators=(",", ":"))
                if not first:
                    out.write(",")
                    written += 1
                first = False
                out.write(chunk)
                written += len(chunk.encode("utf-8"))
                counts[",".join(rc["change"]["actions"])] += 1
            rnd += 1
        out.write('],"errored":false}\n')
    print(json.dumps(dict(sorted(counts.items())), separators=(",", ":")))


if __name__ == "__main__":
    main()
