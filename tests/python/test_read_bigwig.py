"""fusednmf.read_bigwig: bins are exact averages of the bases, segments expand to the bases,
and bad files raise OSError naming them."""
import numpy as np
import pytest

import fusednmf

pytestmark = pytest.mark.skipif(not fusednmf.has_bigwig, reason="built without libBigWig")


def test_bins_are_the_averages_of_their_bases(sample_tracks):
    bases, edges1 = fusednmf.read_bigwig(sample_tracks, "chr1", 1000, 51_234, bin=1)
    assert bases.shape == (50_234, 4) and bases.dtype == np.float32
    np.testing.assert_array_equal(edges1, np.arange(1000, 51_235))
    binned, edges = fusednmf.read_bigwig(sample_tracks, "chr1", 1000, 51_234, bin=200)
    assert binned.shape == (252, 4)
    assert edges[0] == 1000 and edges[-1] == 51_234 and np.all(np.diff(edges)[:-1] == 200)
    for r in range(binned.shape[0]):
        a, b = edges[r] - 1000, edges[r + 1] - 1000
        np.testing.assert_allclose(binned[r], bases[a:b].astype(np.float64).mean(axis=0), rtol=1e-5, atol=1e-6)
    assert (bases > 0).mean() > 0.5  # dense signal: most bases carry a value


def test_segments_expand_to_the_bases(sample_tracks):
    bases, _ = fusednmf.read_bigwig(sample_tracks, "chr1", 0, 40_000, bin=1)
    segments, edges = fusednmf.read_bigwig(sample_tracks, "chr1", 0, 40_000, bin=None)
    assert edges[0] == 0 and edges[-1] == 40_000 and segments.shape[0] < bases.shape[0]
    np.testing.assert_array_equal(np.repeat(segments, np.diff(edges), axis=0), bases)


def test_the_whole_chromosome_by_default(sample_tracks):
    values, edges = fusednmf.read_bigwig(sample_tracks, "chr1")
    assert edges[-1] == 300_000 and values.shape == (1500, 4)


def test_agrees_with_pybigwig(sample_tracks):
    pyBigWig = pytest.importorskip("pyBigWig")
    values, _ = fusednmf.read_bigwig(sample_tracks, "chr1", 5000, 9000, bin=1)
    for j, path in enumerate(sample_tracks):
        with pyBigWig.open(path) as bw:
            expected = np.nan_to_num(np.array(bw.values("chr1", 5000, 9000), dtype=np.float64))
        np.testing.assert_allclose(values[:, j], np.maximum(expected, 0), rtol=1e-6)


def test_bad_files_and_arguments(sample_tracks, tmp_path):
    garbage = tmp_path / "garbage.bw"
    garbage.write_bytes(b"this is not a bigWig file")
    with pytest.raises(OSError, match="garbage.bw"):
        fusednmf.read_bigwig([sample_tracks[0], str(garbage)], "chr1")
    with pytest.raises(FileNotFoundError, match="missing.bw"):
        fusednmf.read_bigwig([str(tmp_path / "missing.bw")], "chr1")
    with pytest.raises(OSError, match="chromosome 'chrNone' is not in"):
        fusednmf.read_bigwig(sample_tracks, "chrNone")
    with pytest.raises(OSError, match="past the end"):
        fusednmf.read_bigwig(sample_tracks, "chr1", 0, 10**9)
    with pytest.raises(ValueError, match="end .* must be greater than start"):
        fusednmf.read_bigwig(sample_tracks, "chr1", 500, 100)
    with pytest.raises(ValueError, match="bin must be >= 1"):
        fusednmf.read_bigwig(sample_tracks, "chr1", bin=0)
    with pytest.raises(ValueError, match="files is empty"):
        fusednmf.read_bigwig([], "chr1")
