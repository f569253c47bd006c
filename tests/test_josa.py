"""Korean particles chosen from the word before them, as a Korean reader says the word."""
import pytest

from glassnet import glossary, josa


@pytest.mark.parametrize("word, pair, expected", [
    ("relu", "은", "relu는"), ("tanh", "은", "tanh는"), ("sigmoid", "이", "sigmoid가"),
    ("linear", "은", "linear는"), ("adam", "를", "adam을"), ("glorot_uniform", "가",
                                                              "glorot_uniform이"),
    ("he_normal", "으로", "he_normal로"), ("he_normal", "와", "he_normal과"),
    ("0.131", "를", "0.131을"), ("(3/3)", "를", "(3/3)을"), ("0.25", "은", "0.25는"),
    ("20", "을", "20을"), ("10", "가", "10이"), ("100", "로", "100으로"), ("2", "을", "2를"),
    ("96.2%", "을", "96.2%를"), ("RandomNormal(0.05)", "이", "RandomNormal(0.05)가"),
    ("SGD", "을", "SGD를"), ("MSE", "와", "MSE와"), ("URL", "로", "URL로"), ("MLP", "은", "MLP는"),
    ("층", "로", "층으로"), ("레이블", "으로", "레이블로"), ("노드", "을", "노드를"),
    ("시그모이드", "은", "시그모이드는"), ("그래디언트", "이", "그래디언트가"),
    ("'relu'", "은", "'relu'는"), ("dense_3", "을", "dense_3을"), ("dense_2", "을", "dense_2를"),
])
def test_particles_follow_the_word_as_it_is_read(word, pair, expected):
    assert josa.attach(word, pair) == expected


def test_an_unknown_particle_is_refused():
    with pytest.raises(ValueError, match="Unknown particle"):
        josa.particle("relu", "의")


def test_the_glossary_uses_the_notes_terms():
    assert glossary.term("gradient") == "그래디언트"
    assert "기울기" not in glossary.KO.values()
    assert all(avoided not in term for avoided in glossary.AVOID for term in glossary.KO.values())
