#!/usr/bin/env python3
"""Writes the report tests' fixture profile "fixture": a plan, seven runs with a few
evaluations each, their manifests, a golden file and samples.json.

The numbers are made up but shaped like a scaled-down run (1 epoch of RN at width 128); they
exist only so the report can be rendered and checked without training anything. Run it from
this directory; the output is deterministic (fixed seeds, sorted keys)."""
import hashlib
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
PROFILE = "fixture"
RUNS = os.path.join(HERE, "runs", PROFILE)
GOLDEN = os.path.join(HERE, "golden")

DATASET = {"seed": 1, "train_images": 9800, "test_images": 200, "exact_closest": False,
           "sha256": "5f1e0c3d2b4a69788766554433221100ffeeddccbbaa99887766554433221100"}

# row id, model, batch, lr, replicate, seed, final (rel, nonrel), speed (questions/s)
RUN_TABLE = [
    ("rn-b64-lr1e-4", "rn", 64, 1e-4, 1, 101, (58.4, 71.9), 281.0),
    ("rn-b64-lr1e-4", "rn", 64, 1e-4, 2, 102, (60.1, 69.8), 279.5),
    ("rn-b64-lr1e-3", "rn", 64, 1e-3, 1, 101, (71.3, 93.6), 282.2),
    ("rn-b64-lr1e-2", "rn", 64, 1e-2, 1, 101, (33.1, 16.9), 280.7),
    ("rn-b128-lr1e-4", "rn", 128, 1e-4, 1, 101, (52.7, 63.2), 318.4),
    ("rn-b128-lr1e-3", "rn", 128, 1e-3, 1, 101, (66.0, 88.1), 319.0),
    ("cnn-mlp-b64-lr1e-4", "cnn-mlp", 64, 1e-4, 1, 101, (49.8, 55.6), 4105.0),
]

PROVENANCE = {"program_version": "0.1.0", "commit": "b366e93f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f6",
              "compiler": "Swift version 6.3.1 (swift-6.3.1-RELEASE)",
              "cpu": "AMD EPYC 7551 32-Core Processor", "cores": 2}


def dumps(value):
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def line(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n"


def spec(model, batch, lr, seed):
    rn = model == "rn"
    return {"schema": "rnrepro.run-spec/1", "model": model, "hidden": 128 if rn else 256,
            "batch_size": batch, "learning_rate": lr, "optimizer": "adam",
            "epochs": 1.0 if rn else 2.5, "eval_every": 0.2 if rn else 0.5, "seed": seed,
            "dropout": "train", "coordinate_tags": "grid", "dataset": DATASET}


def curve(start, final, t, wobble, rng):
    """A saturating rise from start to final over t in (0, 1], with a little noise."""
    value = start + (final - start) * (1 - math.exp(-3.2 * t)) / (1 - math.exp(-3.2))
    return round(value + rng.uniform(-wobble, wobble) * (1 - t), 2)


def metrics(row, model, batch, final, speed, seed, run_spec):
    rng = random.Random(seed * 7919 + batch)
    collapsed = row == "rn-b64-lr1e-2"
    epochs = run_spec["epochs"]
    every = run_spec["eval_every"]
    count = round(epochs / every)
    steps_per_epoch = 2 * (98000 // batch)
    lines = []
    for k in range(1, count + 1):
        epoch = round(k * every, 6)
        t = epoch / epochs
        if collapsed:
            rel = round(33.3 + rng.uniform(-1.5, 1.5), 2) if k > 1 else 38.4
            nonrel = round(max(15.0, 30.0 - 14.0 * t + rng.uniform(-1, 1)), 2)
            if k == count:
                rel, nonrel = final
            loss = (1.26, 1.79)
        else:
            rel = final[0] if k == count else curve(40.0, final[0], t, 2.0, rng)
            nonrel = final[1] if k == count else curve(48.0, final[1], t, 2.5, rng)
            loss = (round(1.05 - 0.35 * t * rel / 70, 4), round(1.2 - 0.9 * t * nonrel / 95, 4))
        steps = round(steps_per_epoch * epoch)
        lines.append({
            "epoch": epoch, "steps": steps, "samples": steps * batch,
            "train_loss": {"rel": loss[0], "nonrel": loss[1]},
            "train_accuracy": {"rel": round(rel - 0.8, 2), "nonrel": round(nonrel - 1.1, 2)},
            "test_accuracy": {"rel": rel, "nonrel": nonrel},
            "test_accuracy_by_subtype": {
                "rel": [round(min(100, rel + 6.1), 2), round(min(100, rel + 9.3), 2), round(max(0, rel - 15.2), 2)],
                "nonrel": [round(min(100, nonrel - 2.0), 2), round(min(100, nonrel + 1.4), 2), round(min(100, nonrel + 0.6), 2)]},
            "wall_seconds": round(steps * batch / speed, 3),
            "samples_per_second": round(speed * (1 + rng.uniform(-0.01, 0.01)), 1),
        })
    return lines


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def sample_image(rng):
    """A Sort-of-CLEVR image by docs/spec.md section 2, with its 20 questions in words."""
    side, colours = 75, [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 156, 0), (128, 128, 128), (255, 255, 0)]
    names = ["red", "green", "blue", "orange", "gray", "yellow"]
    objects = []
    for _ in range(6):
        while True:
            x, y = rng.randint(5, 69), rng.randint(5, 69)
            if all((x - ox) ** 2 + (y - oy) ** 2 >= 100 for ox, oy, _ in objects):
                break
        objects.append((x, y, "square" if rng.random() < 0.5 else "circle"))
    pixels = [255] * (side * side * 3)
    for (x, y, shape), colour in zip(objects, colours):
        for py in range(y - 5, y + 6):
            for px in range(x - 5, x + 6):
                if shape == "circle" and (px - x) ** 2 + (py - y) ** 2 > 25:
                    continue
                if 0 <= px < side and 0 <= py < side:
                    pixels[(py * side + px) * 3:(py * side + px) * 3 + 3] = colour
    questions = []
    for kind in ("nonrel", "rel"):
        for _ in range(10):
            c, sub = rng.randint(0, 5), rng.randint(0, 2)
            x, y, shape = objects[c]
            obj = f"the {names[c]} object"
            d = [(x - ox) ** 2 + (y - oy) ** 2 for ox, oy, _ in objects]
            if kind == "nonrel":
                text, answer = [(f"What shape is {obj}?", shape),
                                (f"Is {obj} on the left?", "yes" if x < 37.5 else "no"),
                                (f"Is {obj} at the top?", "yes" if y < 37.5 else "no")][sub]
            elif sub == 0:
                d[c] = 999
                text, answer = f"What shape is the object closest to {obj}?", objects[d.index(min(d))][2]
            elif sub == 1:
                text, answer = f"What shape is the object furthest from {obj}?", objects[d.index(max(d))][2]
            else:
                text = f"How many objects have the shape of {obj}?"
                answer = str(sum(1 for o in objects if o[2] == shape))
            questions.append({"type": kind, "text": text, "answer": answer})
    return pixels, questions


def main():
    plan_runs, golden_runs, dates = [], {}, []
    for number, (row, model, batch, lr, replicate, seed, final, speed) in enumerate(RUN_TABLE):
        run_spec = spec(model, batch, lr, seed)
        digest = hashlib.sha256(line(run_spec).encode()).hexdigest()[:12]
        run_id = f"{row}-r{replicate}-{digest}"
        # Parameter counts of the models at these widths (RN 128, CNN+MLP 256), as rnrepro's plan records them.
        plan_runs.append({"id": run_id, "row": row, "replicate": replicate, "spec": run_spec,
                          "parameter_count": 108530 if model == "rn" else 241522})
        directory = os.path.join(RUNS, run_id)
        spec_text = dumps(run_spec)
        # Timings go to timings.jsonl, as the trainer writes them; metrics.jsonl holds the rest.
        evaluations = metrics(row, model, batch, final, speed, seed, run_spec)
        timing_keys = ("wall_seconds", "samples_per_second")
        metrics_text = "".join(line({k: v for k, v in m.items() if k not in timing_keys}) for m in evaluations)
        timings_text = "".join(line({k: m[k] for k in ("epoch", "steps") + timing_keys}) for m in evaluations)
        write(os.path.join(directory, "spec.json"), spec_text)
        write(os.path.join(directory, "metrics.jsonl"), metrics_text)
        write(os.path.join(directory, "timings.jsonl"), timings_text)
        last = evaluations[-1]
        date = f"2026-03-0{1 + number // 4}T{10 + number:02d}:1{number}:00Z"
        dates.append(date)
        manifest = {"schema": "rnrepro.manifest/1", "run_id": run_id,
                    "provenance": dict(PROVENANCE, date=date), "threads": 2, "isa": "avx2",
                    "train_seconds": last["wall_seconds"], "wall_seconds": round(last["wall_seconds"] * 1.04, 3),
                    "samples_per_second": round(last["samples"] / last["wall_seconds"], 1),
                    "files": [{"name": name, "sha256": hashlib.sha256(text.encode()).hexdigest()}
                              for name, text in (("checkpoint.bin", run_id), ("metrics.jsonl", metrics_text),
                                                 ("spec.json", spec_text))]}
        write(os.path.join(directory, "manifest.json"), dumps(manifest))
        runs = golden_runs.setdefault(row, [])
        runs.append(last["test_accuracy"])

    plan = {"schema": "rnrepro.plan/1", "profile": PROFILE,
            "summary": ("A test fixture shaped like the quick profile: every configuration of Tables 1 and 2, "
                        "RN trained for 1 epoch at width 128 instead of 20 epochs at width 256, so it can show "
                        "the ordering of the settings but not the paper's final accuracies."),
            "deviations": [
                "RN trains 1 epoch instead of 20; CNN+MLP 2.5 epochs instead of 50 (the paper's 2.5:1 ratio of epochs).",
                "g and f of RN are 128 wide instead of 256.",
                "Evaluation every 0.2 epoch (RN) and 0.5 epoch (CNN+MLP) instead of every epoch.",
                "Dropout as in current PyTorch (training only); the 2017 reference effectively had none.",
            ],
            "test_questions_per_type": DATASET["test_images"] * 10,
            "runs": plan_runs}
    write(os.path.join(RUNS, "plan.json"), dumps(plan))

    rng = random.Random(2018)
    samples = []
    for index in (0, 1, 2):
        pixels, questions = sample_image(rng)
        samples.append({"split": "test", "index": index, "side": 75, "pixels": pixels, "questions": questions})
    write(os.path.join(RUNS, "samples.json"), json.dumps(samples, sort_keys=True, separators=(",", ":")) + "\n")

    golden = {"schema": "rnrepro.golden/1", "profile": PROFILE, "seeds": [101, 102],
              "provenance": dict(PROVENANCE, date=max(dates)),
              "notes": [
                  "Learning rate 1e-2 collapses to one shape on both question types (33 % / 17 %), as in the paper (31 / 15).",
                  "Learning rate 1e-3 is ahead of 1e-4 on both types after 1 epoch, the paper's ordering at 20 epochs.",
                  "Batch 64 is ahead of batch 128 at lr 1e-4 after 1 epoch, as in the paper's Fig. 5.",
                  "No run reaches the paper's final accuracies: 1 epoch is 5 % of the paper's training.",
              ],
              "deviations": plan["deviations"],
              "runs": [{"row": row,
                        "metrics": [{"name": f"test_accuracy.{kind}",
                                     "band": {"lo": round(min(v[kind] for v in values) - 3, 2),
                                              "hi": round(max(v[kind] for v in values) + 3, 2)},
                                     "seed_values": [v[kind] for v in values],
                                     "reference": values[0][kind]} for kind in ("rel", "nonrel")],
                        "curves": []}
                       for row, values in golden_runs.items()]}
    write(os.path.join(GOLDEN, f"{PROFILE}.json"), dumps(golden))


if __name__ == "__main__":
    main()
