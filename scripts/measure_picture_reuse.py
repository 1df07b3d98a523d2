"""Measure whether perceptual-hash reuse of pictures across accounts helps a trained screening model.

Grouped cross-validation on a labelled CSV with pictures: the trained model's verdicts alone, and stacked with
the number of other accounts that posted a picture within ``--distance`` (pHash Hamming distance) of one of
the post's pictures. Prints MCC both ways, text only and text + OCR. Usage::

    python scripts/measure_picture_reuse.py world7/with_images.csv --root world7 [--distance 6] [--group-col account_id]
"""

from __future__ import annotations

import argparse

import imagehash
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import matthews_corrcoef

from wildtrace.config import load_settings
from wildtrace.lexicon import load_lexicon
from wildtrace.screen import ImageReader, LabelledSet, Screener, read_labelled, train_model
from wildtrace.screen._evaluate import fold_indices


def reuse_counts(files: list[list[str]], groups: list[str], reader: ImageReader, root: str, distance: int
                 ) -> np.ndarray:
    """For each post, how many other groups posted a picture within ``distance`` of one of its pictures."""
    hashes = [[imagehash.hex_to_hash(reader.read(f"{root}/{f}")["phash"]) for f in post] for post in files]
    return np.array([len({groups[j] for j in range(len(files)) if groups[j] != groups[i]
                          and any(a - b <= distance for a in hashes[i] for b in hashes[j])})
                     for i in range(len(files))], dtype=float)


def _logit(scores: list[float]) -> np.ndarray:
    p = np.clip(np.asarray(scores), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def measure(data: LabelledSet, reuse: np.ndarray, k: int = 5) -> tuple[float, float]:
    """MCC of the trained model, and of a second stage on its logit plus log(1 + reuse), on the same folds."""
    lexicon = load_lexicon()
    y = np.asarray(data.labels)
    alone, stacked = np.zeros(len(y), dtype=bool), np.zeros(len(y), dtype=bool)
    for train, test in fold_indices(data.labels, data.groups, k):
        model = train_model([data.docs[i] for i in train], y[train], lexicon, optimise="mcc", embeddings=False,
                            groups=[data.groups[i] for i in train])
        screener = Screener(lexicon, model)
        tested = list(screener.screen_documents([data.docs[i] for i in test]))
        alone[test] = [r.tier in ("high", "medium") for r in tested]
        seen = [r.score for r in screener.screen_documents([data.docs[i] for i in train])]
        second = LogisticRegression(class_weight="balanced").fit(
            np.column_stack([_logit(seen), np.log1p(reuse[train])]), y[train])
        stacked[test] = second.predict(np.column_stack([_logit([r.score for r in tested]), np.log1p(reuse[test])])) == 1
    return float(matthews_corrcoef(y, alone)), float(matthews_corrcoef(y, stacked))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("labels")
    parser.add_argument("--root", required=True, help="folder the images column's paths are relative to")
    parser.add_argument("--distance", type=int, default=6)
    parser.add_argument("--group-col", default="account_id")
    args = parser.parse_args()
    reader = ImageReader.from_settings(load_settings())
    files = [[f.strip() for f in v.split(";") if f.strip()]
             for v in pd.read_csv(args.labels, dtype=str, keep_default_na=False)["images"]]
    for ocr in (False, True):
        data = read_labelled(args.labels, "text", "label", group_col=args.group_col, image_col="images",
                             image_root=args.root, images=reader if ocr else None)
        reuse = reuse_counts(files, data.groups, reader, args.root, args.distance)
        alone, stacked = measure(data, reuse)
        print(f"{'text + OCR' if ocr else 'text only'}: MCC {alone:.3f}, with picture reuse {stacked:.3f} "
              f"({int((reuse > 0).sum())} posts share a picture with another account)")


if __name__ == "__main__":
    main()
