"""The baseline for command start-up: a bare one-task Prefect flow, nothing from the project."""

import json
import sys

from prefect import flow, task


@task
def one() -> int:
    return 1


@flow(name="bare")
def bare() -> int:
    return one()


if __name__ == "__main__":
    value = bare()
    with open(sys.argv[1], "w") as fh:
        json.dump({"value": value}, fh)
