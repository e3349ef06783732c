import numpy as np

from qa_pipeline.drivers import cluster, name_groups, new_groups


def _blobs():
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:3] * 5
    vectors = np.vstack([c + rng.normal(0, 0.3, (10, 8)) for c in centres])
    return vectors, np.repeat([0, 1, 2], 10)


def test_cluster_recovers_blobs_and_picks_k():
    from sklearn.metrics import adjusted_rand_score

    vectors, truth = _blobs()
    labels = cluster(vectors)
    assert len(set(labels)) == 3
    assert adjusted_rand_score(truth, labels) == 1.0


def test_name_groups_uses_typical_words():
    texts = ["lost my card", "card was stolen", "card lost abroad", "reset my password", "password not working"]
    labels = np.array([0, 0, 0, 1, 1])
    names = name_groups(texts, labels, top=1)
    assert names == {0: "card", 1: "password"}


def test_new_groups_are_mostly_in_latest_week():
    labels = np.array([0, 0, 0, 1, 1, 1])
    weeks = ["2026-W01", "2026-W02", "2026-W03", "2026-W03", "2026-W03", "2026-W02"]
    assert new_groups(labels, weeks) == {1}
