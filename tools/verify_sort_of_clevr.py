#!/usr/bin/env python3
"""Checks `rnrepro dataset export-jsonl` output against docs/spec.md section 2, independently.

This is a second implementation of the data set's rules, written from docs/spec.md alone and sharing
no code with the Swift generator: every answer is recomputed from the object table, every
question vector rebuilt, and (with --pixels in the export) every image redrawn and compared
pixel by pixel. Exit 0 when everything agrees, 1 with the first disagreements otherwise.

    rnrepro dataset export-jsonl data/set.bin --pixels | python3 tools/verify_sort_of_clevr.py
"""
import argparse
import json
import sys

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 156, 0), (128, 128, 128), (255, 255, 0)]
YES, NO, SQUARE, CIRCLE = 0, 1, 2, 3


def shape_answer(obj):
    return SQUARE if obj["shape"] == "square" else CIRCLE


def sq_dist(a, b):
    return (a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2


def expected_answer(objects, qtype, subtype, colour, exact_closest):
    me = objects[colour]
    if qtype == "nonrel":
        if subtype == 0:
            return shape_answer(me)
        if subtype == 1:
            return YES if me["x"] < 75 / 2 else NO
        return YES if me["y"] < 75 / 2 else NO
    if subtype == 2:
        return 3 + sum(1 for o in objects if o["shape"] == me["shape"])
    dists = [sq_dist(me, o) for o in objects]
    if subtype == 0:
        # The 2017 reference sets the object's own distance to 999; exact: infinity.
        dists[colour] = float("inf") if exact_closest else 999
        target = dists.index(min(dists))  # list.index: ties go to the lowest colour
    else:
        target = dists.index(max(dists))
    return shape_answer(objects[target])


def expected_vector(qtype, subtype, colour):
    v = [0.0] * 11
    v[colour] = 1.0
    v[6 if qtype == "nonrel" else 7] = 1.0
    v[8 + subtype] = 1.0
    return v


def expected_image(objects):
    image = [[[255, 255, 255] for _ in range(75)] for _ in range(75)]
    for obj in objects:
        cx, cy = obj["x"], obj["y"]
        for y in range(75):
            for x in range(75):
                if obj["shape"] == "square":
                    inside = abs(x - cx) <= 5 and abs(y - cy) <= 5
                else:
                    inside = (x - cx) ** 2 + (y - cy) ** 2 <= 25
                if inside:
                    image[y][x] = list(COLOURS[obj["color"]])
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", nargs="?", default="-", help="export-jsonl output (default: stdin)")
    parser.add_argument("--exact-closest", action="store_true", help="the data set was generated with --exact-closest")
    args = parser.parse_args()
    stream = sys.stdin if args.jsonl == "-" else open(args.jsonl)

    problems, images, questions, pixel_images = [], 0, 0, 0
    for line_number, line in enumerate(stream, 1):
        record = json.loads(line)
        where = f"line {line_number} ({record.get('split')} {record.get('index')})"
        expected_keys = {"split", "index", "objects", "questions"} | ({"pixels"} if "pixels" in record else set())
        if set(record) != expected_keys:
            problems.append(f"{where}: keys {sorted(record)}")
        objects = record["objects"]
        if [o["color"] for o in objects] != list(range(6)):
            problems.append(f"{where}: objects not in colour order")
        for i, o in enumerate(objects):
            if set(o) != {"color", "shape", "x", "y"} or o["shape"] not in ("square", "circle"):
                problems.append(f"{where}: object {i} malformed: {o}")
            if not (5 <= o["x"] <= 69 and 5 <= o["y"] <= 69):
                problems.append(f"{where}: object {i} centre out of range")
            for j in range(i):
                if sq_dist(o, objects[j]) < 100:
                    problems.append(f"{where}: objects {j} and {i} closer than 10")
        qs = record["questions"]
        if [q["type"] for q in qs] != ["nonrel"] * 10 + ["rel"] * 10:
            problems.append(f"{where}: expected 10 nonrel then 10 rel questions")
        for k, q in enumerate(qs):
            want = expected_answer(objects, q["type"], q["subtype"], q["color"], args.exact_closest)
            if q["answer"] != want:
                problems.append(f"{where}: question {k} {q['type']}/{q['subtype']} colour {q['color']}: answer {q['answer']}, docs/spec.md says {want}")
            if q["vector"] != expected_vector(q["type"], q["subtype"], q["color"]):
                problems.append(f"{where}: question {k} vector {q['vector']}")
            questions += 1
        if "pixels" in record:
            if record["pixels"] != expected_image(objects):
                problems.append(f"{where}: pixels differ from the drawing rules")
            pixel_images += 1
        images += 1
        if len(problems) > 20:
            break

    for problem in problems[:20]:
        print(problem, file=sys.stderr)
    status = "FAIL" if problems or images == 0 else "ok"
    print(f"{status}: {images} images, {questions} questions, {pixel_images} images redrawn; {len(problems)} disagreements")
    sys.exit(1 if problems or images == 0 else 0)


if __name__ == "__main__":
    main()
