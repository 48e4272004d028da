"""Reference data for tests/tests/onnx_magika.rs.

Usage: python3 magika_ref.py OUT_DIR FILE...

For each FILE, extracts the model features exactly as magika does (its own
`_extract_features_from_seekable`), runs magika's ONNX model with onnxruntime, and
writes OUT_DIR/features.npy (int32 [n, 2048]), OUT_DIR/scores.npy (float32
[n, labels]), OUT_DIR/labels.txt (magika's own deep-learning label per file, one per
line), OUT_DIR/label_space.txt (the model's labels in output order) and
OUT_DIR/model_path.txt (the model file that was run).
"""

import json
import os
import sys

import numpy as np
import onnxruntime as rt

import magika
from magika.types.seekable import Seekable

out, files = sys.argv[1], sys.argv[2:]
m = magika.Magika()
model_dir = m._model_dir
cfg = json.load(open(os.path.join(model_dir, "config.min.json")))
model_path = os.path.join(model_dir, "model.onnx")

rows, labels = [], []
for path in files:
    with open(path, "rb") as fh:
        f = magika.Magika._extract_features_from_seekable(
            Seekable(fh),
            cfg["beg_size"],
            cfg["mid_size"],
            cfg["end_size"],
            cfg["padding_token"],
            cfg["block_size"],
            cfg["use_inputs_at_offsets"],
        )
    rows.append(f.beg[: cfg["beg_size"]] + f.end[-cfg["end_size"] :])
    labels.append(str(m.identify_path(path).prediction.dl.label))

x = np.array(rows, dtype=np.int32)
sess = rt.InferenceSession(model_path, providers=["CPUExecutionProvider"])
(scores,) = sess.run(None, {sess.get_inputs()[0].name: x})
os.makedirs(out, exist_ok=True)
np.save(os.path.join(out, "features.npy"), x)
np.save(os.path.join(out, "scores.npy"), scores.astype(np.float32))
with open(os.path.join(out, "labels.txt"), "w") as fh:
    fh.write("\n".join(labels) + "\n")
with open(os.path.join(out, "label_space.txt"), "w") as fh:
    fh.write("\n".join(cfg["target_labels_space"]) + "\n")
with open(os.path.join(out, "model_path.txt"), "w") as fh:
    fh.write(model_path + "\n")
print(f"{len(files)} files, model {model_path}")
