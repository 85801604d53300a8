"""read_bigwig: checks the arguments Python-side, so that mistakes read as ValueError and
missing files as FileNotFoundError before any file is opened."""
import os

from . import _core


def read_bigwig(files, chrom, start=None, end=None, bin=200, threads=0, missing_as_nan=False):
    """Reads [start, end) of ``chrom`` from bigWig files: returns (values, edges).

    values: float32, a row per bin and a column per file; row r covers [edges[r], edges[r + 1]).
    start=None: 0; end=None: the chromosome's end. bin: bases per row (exact averages; the last
    row may be shorter), or None for run-length segments (maximal runs where no file changes).
    Bases without data count as 0, or with missing_as_nan=True are left out of the averages (a
    bin with none observed is NaN). Corrupt files, or files that lack the region, raise OSError
    naming the file.
    """
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    files = [os.fspath(f) for f in files]
    if not files:
        raise ValueError("read_bigwig: files is empty")
    for f in files:
        if not os.path.isfile(f):
            raise FileNotFoundError(f"read_bigwig: {f} is not a file")
    start = 0 if start is None else int(start)
    if start < 0:
        raise ValueError(f"read_bigwig: start must be >= 0, got {start}")
    if end is not None and int(end) <= start:
        raise ValueError(f"read_bigwig: end ({end}) must be greater than start ({start})")
    if bin is not None and int(bin) < 1:
        raise ValueError(f"read_bigwig: bin must be >= 1 or None, got {bin}")
    if int(threads) < 0:
        raise ValueError(f"read_bigwig: threads must be >= 0, got {threads}")
    return _core.read_bigwig(files, str(chrom), start, None if end is None else int(end),
                             None if bin is None else int(bin), int(threads), bool(missing_as_nan))
