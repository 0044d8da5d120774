"""Benchmark: responses scored per second by the instruments engine, for ``phq9`` and
``ahc-hrsn``.

    .venv/bin/python bench/scoring.py [--responses 20000] [--seed 1]

Three paths, each timed on the same generated answers (random, about 1 in 10 missing):

- ``engine``: ``engine.score`` on answers already checked (what a screening session calls);
- ``answers``: ``parse_answers`` + ``score`` from the JSON text, as ``dyadcare score`` does;
- ``fhir``: ``score_response`` on a QuestionnaireResponse (checking it, FHIRPath calculated
  items, enableWhen, mapping, Observation extraction), on a tenth of the responses;
- ``cli``: whole ``dyadcare score`` processes, 20 of them (start-up included).

Prints one JSON line per instrument with responses per second for each path.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from dyadcare.instruments.engine import build_response, load_library, parse_answers, score, score_response


def answers_for(instrument: Any, rng: random.Random) -> list[Any]:
    answers: list[Any] = []
    for item in instrument.items:
        if rng.random() < 0.1:
            answers.append(None)
        elif item.kind == "multi":
            answers.append(sorted(rng.sample(range(len(item.options)), rng.randint(1, 3))))
        else:
            answers.append(rng.randrange(len(item.options)))
    return answers


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    library = load_library()
    dyadcare = str(Path(sys.executable).with_name("dyadcare"))
    for ident in ("phq9", "ahc-hrsn"):
        instrument = library.get(ident)
        rng = random.Random(args.seed)
        batch = [answers_for(instrument, rng) for _ in range(args.responses)]
        texts = [json.dumps(a) for a in batch]
        fhir_batch = [
            build_response(instrument, a, response_id=f"r{i}")
            for i, a in enumerate(batch[: max(1, args.responses // 10)])
        ]

        started = time.perf_counter()
        for answers in batch:
            score(instrument, answers)
        engine_rate = rate(len(batch), time.perf_counter() - started)

        started = time.perf_counter()
        for text in texts:
            score(instrument, parse_answers(instrument, text))
        answers_rate = rate(len(texts), time.perf_counter() - started)

        started = time.perf_counter()
        for response in fhir_batch:
            score_response(response)
        fhir_rate = rate(len(fhir_batch), time.perf_counter() - started)

        runs = 20
        started = time.perf_counter()
        for text in texts[:runs]:
            subprocess.run([dyadcare, "score", ident, "--answers", text], check=True, capture_output=True)
        cli_rate = rate(runs, time.perf_counter() - started)

        print(
            json.dumps(
                {
                    "instrument": ident,
                    "responses": len(batch),
                    "engine_per_second": engine_rate,
                    "answers_per_second": answers_rate,
                    "fhir_per_second": fhir_rate,
                    "cli_processes_per_second": cli_rate,
                }
            )
        )


if __name__ == "__main__":
    main()
