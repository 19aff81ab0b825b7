"""scikit-learn's MLPClassifier on the MLP benchmark's data (bench/mlp-data.ts), for `npm run bench`.

Usage: /usr/bin/python3 bench/sklearn_mlp.py <data dir> <epochs> <batch size> [<dtype> [<blas threads>]]
(dtype float32 (default, as TF.js computes) or float64; blas threads default = OpenBLAS's own).
Prints one JSON line: samples/s over the whole `fit` call (data loading, scaling and process start
excluded) by the wall clock and per CPU-second of this process (all its threads), held-out
accuracy, last training loss, library versions and BLAS threads.

The network matches the template's: hidden (64, 64) ReLU, softmax output, log loss, Adam
(lr 0.001, betas 0.9/0.999), no L2 penalty (alpha=0), shuffled mini-batches, same training rows
(the data folder marks the template's held-out rows), features standardized with the training
rows' mean and population std (the template's scaler). Stopping on `tol` is disabled
(n_iter_no_change > max_iter) and early_stopping is off, so `max_iter` = epochs run exactly.
Reference: https://scikit-learn.org/1.2/modules/generated/sklearn.neural_network.MLPClassifier.html
"""
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info, threadpool_limits


def main() -> None:
    data_dir = Path(sys.argv[1])
    epochs = int(sys.argv[2])
    batch_size = int(sys.argv[3])
    dtype = np.dtype(sys.argv[4] if len(sys.argv) > 4 else "float32")
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else None
    meta = json.loads((data_dir / "meta.json").read_text())
    x = np.fromfile(data_dir / "x.f32", dtype="<f4").reshape(meta["rows"], meta["features"])
    y = np.fromfile(data_dir / "y.u8", dtype=np.uint8)
    test = np.fromfile(data_dir / "test.u8", dtype=np.uint8).astype(bool)
    # The MLP computes in its input's dtype (float32 or float64, scikit-learn >= 1.1).
    scaler = StandardScaler().fit(x[~test].astype(np.float64))
    x_train = scaler.transform(x[~test].astype(np.float64)).astype(dtype)
    x_test = scaler.transform(x[test].astype(np.float64)).astype(dtype)
    y_train, y_test = y[~test], y[test]
    assert len(y_train) == meta["trainRows"] and len(y_test) == meta["testRows"]

    clf = MLPClassifier(
        hidden_layer_sizes=(64, 64),
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=batch_size,
        learning_rate_init=0.001,
        max_iter=epochs,
        shuffle=True,
        random_state=1,
        tol=1e-4,
        n_iter_no_change=epochs + 1,
        early_stopping=False,
    )
    with warnings.catch_warnings(), threadpool_limits(limits=threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        started = time.perf_counter()
        cpu_started = time.process_time()
        clf.fit(x_train, y_train)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        accuracy = float((clf.predict(x_test) == y_test).mean())
        blas_threads = max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"), default=None)
    print(json.dumps({
        "library": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
        "dtype": dtype.name,
        "blasThreads": blas_threads,
        "epochs": clf.n_iter_,
        "batchSize": batch_size,
        "trainRows": int(len(y_train)),
        "seconds": seconds,
        "cpuSeconds": cpu_seconds,
        "samplesPerSecond": clf.n_iter_ * len(y_train) / seconds,
        "samplesPerCpuSecond": clf.n_iter_ * len(y_train) / cpu_seconds,
        "testAccuracy": accuracy,
        "loss": float(clf.loss_),
    }))


if __name__ == "__main__":
    main()
