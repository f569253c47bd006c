"""One glossary for every Korean sentence glassnet writes (the lab's report and diagnose).

The terms follow the notes (``../shared/seed``): 그래디언트 (never 기울기, which in the notes is
a slope), 노드, 은닉층, 가중치, 손실 함수, 교차 엔트로피, 포화. Terms the notes do not use take
the form Korean deep-learning texts use most (에폭, 학습률, 시드). ``KO["gradient"]`` gives
the term; templates write ``{gradient}`` and fill it from ``KO``.
"""

KO = {
    "gradient": "그래디언트",
    "gradient_norm": "그래디언트 크기",
    "vanishing_gradient": "그래디언트 소실",
    "exploding_gradient": "그래디언트 폭주",
    "gradient_clipping": "그래디언트 클리핑",
    "unit": "노드",
    "hidden_layer": "은닉층",
    "output_layer": "출력층",
    "layer": "층",
    "weight": "가중치",
    "kernel": "커널",
    "bias": "편향",
    "activation": "활성화",
    "activation_function": "활성화 함수",
    "derivative": "도함수",
    "loss": "손실",
    "loss_function": "손실 함수",
    "cross_entropy": "교차 엔트로피",
    "saturation": "포화",
    "dead_units": "죽은 노드",
    "initialization": "초기화",
    "initializer": "초기화 방법",
    "learning_rate": "학습률",
    "epoch": "에폭",
    "batch": "배치",
    "seed": "시드",
    "accuracy": "정확도",
    "test_accuracy": "테스트 정확도",
    "validation": "검증",
    "update": "업데이트",
    "optimizer": "옵티마이저",
    "paired_difference": "시드별 짝지은 차이",
    "confidence_interval": "95% 신뢰구간",
    "better": "더 좋음",
    "worse": "더 나쁨",
    "undecided": "판정 보류",
    "percentage_points": "%p",
}

# Words the notes' terms replace: a test keeps them out of every Korean sentence.
AVOID = {"기울기": KO["gradient"], "에포크": KO["epoch"], "유닛": KO["unit"]}


def term(key):
    """The Korean term for ``key`` (a KeyError names the missing term)."""
    return KO[key]
