"""§3: softmax against max, the cross-entropy table, and MSE against cross-entropy."""
import numpy as np

from ... import josa
from .. import figures
from .common import Plan, Say, Section, Table, color, comparison_table, curves, \
    fmt, judge, mean, number, percent, reached as _reached, values, \
    verdict_sentence

LOSS_NAMES = {"mean_squared_error": "MSE", "categorical_crossentropy": "CE"}

# The numbers Keras's documentation prints for its examples (reference for the reader;
# tests/oracles compare with running Keras).
KERAS_DOCUMENTED = {"CategoricalCrossentropy": 1.177, "SparseCategoricalCrossentropy": 1.177,
                    "BinaryCrossentropy": 0.815, "BinaryCrossentropy(from_logits=True)": 0.865}


def _vector(row, digits=2):
    return "[" + ", ".join(f"{v:.{digits}f}" for v in row) + "]"


def softmax(records, lang):
    say = Say(lang)
    record = records[0]
    worked, table = record["softmax"], record["table"]
    metrics = record["metrics"]
    section = Section(setup=say(
        "No training: softmax(z)_i = exp(z_i) / sum_j exp(z_j) (computed as exp(z - max z)), "
        "max as a one-hot of the largest input, and the cross-entropy -sum_i p_i log q_i of a "
        "worked table by glassnet.losses.categorical_crossentropy. The notes' own table is an "
        "image, so this one is a stand-in of four samples, built with the right class least "
        "likely in sample #3 as the notes describe.",
        "학습 없음: softmax(z)_i = exp(z_i) / sum_j exp(z_j)(exp(z - max z)로 계산), max는 가장 큰 "
        "입력의 원-핫, 계산 예제 표의 교차 엔트로피 -sum_i p_i log q_i는 "
        "glassnet.losses.categorical_crossentropy로 계산. 노트의 표는 이미지라서, 노트의 설명대로 "
        "샘플 #3에서 정답 확률이 가장 낮도록 만든 네 샘플의 표로 대신한다."))
    inputs = worked["inputs"]
    fig, axes = figures.figure(len(inputs) + 2, width=2.8 * (len(inputs) + 2))
    positions = np.arange(len(inputs[0]))
    for column, z in enumerate(inputs):
        ax = axes[0, column]
        ax.bar(positions - 0.2, worked["max"][column], 0.4, label="max", color=color(1))
        ax.bar(positions + 0.2, worked["softmax"][column], 0.4, label="softmax", color=color(0))
        ax.set(title="z = " + _vector(z, 1), ylim=(0, 1.05),
               xticks=positions, xticklabels=[f"z{i + 1}" for i in positions])
    axes[0, 0].legend()
    series = record["series"]
    ax = axes[0, -2]
    ax.plot(series["right_probability"], series["cross_entropy"], label=say("cross-entropy", "교차 엔트로피"),
            color=color(0))
    ax.plot(series["right_probability"], series["mse"], label="MSE", color=color(1))
    ax.set(xlabel=say("probability of the right class", "정답 클래스의 확률"),
           ylabel=say("loss", "손실"))
    ax.legend()
    ax = axes[0, -1]
    if "cross_entropy_logit_gradient" in series:
        ax.plot(series["right_probability"], np.abs(series["cross_entropy_logit_gradient"]),
                label=say("softmax + CE: |p − y|", "소프트맥스 + CE: |p − y|"), color=color(0))
        ax.plot(series["right_probability"], np.abs(series["mse_logit_gradient"]),
                label=say("softmax + MSE", "소프트맥스 + MSE"), color=color(1))
        ax.set(xlabel=say("probability of the right class", "정답 클래스의 확률"),
               ylabel=say("|dL/dz| of the right logit", "정답 로짓의 |dL/dz|"))
        ax.legend()
    section.add_figure("softmax", fig, say(
        "Left: max gives all to the largest input, softmax shares in proportion to exp(z). "
        "Middle: both losses fall as the right class's probability p grows; cross-entropy "
        "(−log p) without bound as p → 0, MSE never above 2/3 here. Right: the gradient on the "
        "right class's logit. With softmax + cross-entropy it is p − y, largest when the "
        "prediction is most wrong; with MSE it passes through the softmax's derivative and "
        "shrinks toward 0 as p → 0, so a confidently wrong net learns slowest.",
        "왼쪽: max는 가장 큰 입력에 전부를 주고, 소프트맥스는 exp(z)에 비례해 나눈다. 가운데: 정답 "
        "클래스의 확률 p가 커질수록 두 손실 모두 줄어든다. 교차 엔트로피(−log p)는 p → 0에서 끝없이 "
        "커지고, MSE는 여기서 2/3을 넘지 않는다. 오른쪽: 정답 로짓에 대한 그래디언트. 소프트맥스 + 교차 "
        "엔트로피에서는 p − y로, 예측이 가장 틀릴 때 가장 크다. MSE에서는 소프트맥스의 도함수를 거치므로 "
        "p → 0에서 0으로 줄어, 확신을 가지고 틀린 신경망이 가장 느리게 배운다."))
    section.tables.append(Table(
        say("Max vs softmax", "max와 소프트맥스"), ["z", "max", "softmax"],
        [[_vector(z, 1), _vector(m, 0), _vector(s, 3)]
         for z, m, s in zip(inputs, worked["max"], worked["softmax"])]))
    worst = metrics["worst_sample"] - 1
    section.tables.append(Table(
        say("The worked cross-entropy table: target p, prediction q, loss -sum p log q",
            "교차 엔트로피 계산 예제: 정답 p, 예측 q, 손실 -sum p log q"),
        [say("sample", "샘플"), say("target p", "정답 p"), say("prediction q", "예측 q"),
         say("cross-entropy", "교차 엔트로피")],
        [[f"#{i + 1}", _vector(p, 0), _vector(q), f"{loss:.4f}"]
         for i, (p, q, loss) in enumerate(zip(table["targets"], table["predictions"],
                                              table["loss"]))],
        highlight={worst}))
    section.conclusion = _softmax_conclusion(worked, metrics, say)
    return section


def _softmax_conclusion(worked, metrics, say):
    close = worked["inputs"][1]
    soft = worked["softmax"][1]
    return [
        say(f"For z = {_vector(close, 1)} max outputs {_vector(worked['max'][1], 0)}: the "
            f"second input, only {close[0] - close[1]:.1f} smaller, counts for nothing. Softmax "
            f"gives {_vector(soft, 3)}, which still sums to 1 and changes smoothly with every "
            f"input, so every input gets a gradient.",
            f"z = {_vector(close, 1)}에서 max의 출력은 {_vector(worked['max'][1], 0)}이다. 겨우 "
            f"{close[0] - close[1]:.1f} 작은 두 번째 입력은 전혀 반영되지 않는다. 소프트맥스는 "
            f"{josa.attach(_vector(soft, 3), '을')} 내며, 합이 1이고 모든 입력에 따라 부드럽게 변하므로 모든 입력이 "
            f"그래디언트를 받는다."),
        say(f"Sample #{metrics['worst_sample']} has the largest cross-entropy "
            f"({metrics['worst_loss']:.4f}; mean over the table {metrics['mean_loss']:.4f}): it "
            f"gives its right class the lowest probability. "
            + ("As in the notes, sample #3 is the worst. " if metrics["worst_sample"] == 3 else
               f"The notes' table has sample #3 worst; ours has #{metrics['worst_sample']}. ")
            + f"glassnet's loss and the formula differ by {number(metrics['formula_difference'])}; "
              f"a perfect prediction gives {number(metrics['perfect_match_loss'])} (0 up to "
              f"Keras's clipping of q to [1e-7, 1 - 1e-7]).",
            f"샘플 #{metrics['worst_sample']}의 교차 엔트로피가 가장 크다({metrics['worst_loss']:.4f}, "
            f"표 평균 {metrics['mean_loss']:.4f}). 정답 클래스에 가장 낮은 확률을 주었기 때문이다. "
            + ("노트와 같이 샘플 #3이 가장 나쁘다. " if metrics["worst_sample"] == 3 else
               f"노트의 표에서는 샘플 #3이 가장 나쁘지만 여기서는 #{metrics['worst_sample']}이다. ")
            + f"glassnet의 손실과 공식의 차이는 {number(metrics['formula_difference'])}이고, 완벽한 "
              f"예측의 손실은 {number(metrics['perfect_match_loss'])}이다(케라스처럼 q를 "
              f"[1e-7, 1 - 1e-7]로 자르므로 0에 가까운 값)."),
    ]


def _mode(config):
    return "own" if config.get("learning_rate_grid") else "shared"


def losses_plans(records):
    """Cross-entropy against MSE for each hidden activation: at the shared rate (the notes'
    comparison as run before) and with each arm at its own rate."""
    training = [r["config"] for r in records if r["config"].get("part") == "training"]
    plans = []
    for activation in dict.fromkeys(c["activation"] for c in training):
        for config in [c for c in training if c["activation"] == activation
                       and c["loss"] == "mean_squared_error"]:
            rate = ({"learning_rate_grid": config["learning_rate_grid"]}
                    if _mode(config) == "own" else {"learning_rate": config["learning_rate"]})
            plans.append(Plan("test_accuracy",
                              {"activation": activation, "loss": "categorical_crossentropy",
                               **rate},
                              {"activation": activation, "loss": "mean_squared_error", **rate}))
    return plans


def _arm(subset, say):
    rate = (say("own rate", "각자 학습률") if "learning_rate_grid" in subset
            else say(f"rate {subset.get('learning_rate')}", f"학습률 {subset.get('learning_rate')}"))
    return f"{subset['activation']} + {LOSS_NAMES.get(subset['loss'], subset['loss'])} ({rate})"


def losses(records, lang):
    say = Say(lang)
    worked = next((r for r in records if r["config"].get("part") == "worked"), None)
    training = [r for r in records if r["config"].get("part") == "training"]
    section = Section()
    if training:
        config = training[0]["config"]
        grid = next((r["config"]["learning_rate_grid"] for r in training
                     if r["config"].get("learning_rate_grid")), None)
        section.setup = say(
            f"digits (pixels / 16), {config['depth']} hidden layers of {config['width']}, "
            f"softmax output, one-hot targets, glorot_uniform, SGD, batch "
            f"{config['batch_size']}, {config['epochs']} epochs; only the loss, the hidden "
            f"activation and the rate change. Each pair runs twice: at one shared rate "
            f"({config['learning_rate']}, the comparison as the notes would run it) and with "
            f"each arm choosing its own rate from {grid} on the 50 validation samples. Keras's "
            f"MSE averages over the 10 outputs, so its gradient is about 10 times smaller than "
            f"cross-entropy's: one shared rate favours cross-entropy.",
            f"digits(픽셀/16), 은닉층 {config['depth']}개(각 {config['width']}개), 소프트맥스 출력, "
            f"원-핫 정답, glorot_uniform, SGD, 배치 {config['batch_size']}, {config['epochs']} 에폭. "
            f"손실, 은닉층 활성화 함수, 학습률만 바꾼다. 각 조합을 두 번 실행한다: 공통 학습률 "
            f"{config['learning_rate']}(노트처럼 비교하는 경우)과, 설정마다 {grid} 중에서 검증 샘플 "
            f"50개로 고른 각자의 학습률. 케라스의 MSE는 출력 10개에 대해 평균을 내므로 그래디언트가 "
            f"교차 엔트로피보다 10배쯤 작다. 공통 학습률 하나는 교차 엔트로피에 유리하다.")
        section.comparisons = judge(training, "losses", losses_plans(training))
        _training_part(section, training, say)
    if worked:
        _worked_part(section, worked, say)
    return section


def _training_part(section, training, say):
    by_setting = {}
    for record in training:
        config = record["config"]
        by_setting.setdefault((config["activation"], config["loss"], _mode(config)),
                              []).append(record)
    activations_ = list(dict.fromkeys(a for a, _, _ in by_setting))
    losses_ = list(dict.fromkeys(loss for _, loss, _ in by_setting))
    fig, axes = figures.figure(len(activations_))
    for column, activation in enumerate(activations_):
        for (act, loss, mode), runs in by_setting.items():
            if act != activation:
                continue
            name = LOSS_NAMES.get(loss, loss) + (say(", own rate", ", 각자 학습률")
                                                 if mode == "own" else say(", shared rate",
                                                                           ", 공통 학습률"))
            figures.band(axes[0, column], curves(runs, "test_accuracy"), name,
                         color(losses_.index(loss)), upper=1)
            if mode == "shared":
                axes[0, column].lines[-1].set_linestyle("--")
        axes[0, column].set(title=say(f"{activation} hidden layers", f"{activation} 은닉층"),
                            xlabel=say("epoch", "에폭"), ylabel=say("test accuracy", "테스트 정확도"),
                            ylim=(0, 1))
        axes[0, column].legend()
    section.add_figure("losses-training", fig, say(
        "Test accuracy per epoch with MSE and with cross-entropy (mean, 95% band); dashed: the "
        "shared rate, solid: each arm's own rate.",
        "MSE와 교차 엔트로피의 에폭별 테스트 정확도(평균, 95% 구간). 점선: 공통 학습률, 실선: 설정마다 "
        "고른 학습률."))
    section.tables.append(Table(
        say("Final numbers", "최종 수치"),
        [say("activation", "활성화"), say("loss", "손실"), say("learning rate", "학습률"),
         say("test accuracy", "테스트 정확도"),
         say("epochs to 90% (mean of seeds that got there)", "90%까지 에폭(도달한 시드 평균)")],
        [[a, LOSS_NAMES.get(loss, loss), _rate_cell(runs, say),
          fmt(values(runs, "test_accuracy"), percent=True),
          _reached(values(runs, "epochs_to_90"))] for (a, loss, mode), runs in by_setting.items()]))
    searched = {key: runs for key, runs in by_setting.items() if key[2] == "own"}
    if searched:
        rates = searched[next(iter(searched))][0]["rate_search"]["rates"]
        section.tables.append(Table(
            say("Every rate of the grid (mean over seeds): validation accuracy, which chose the "
                "rate, and test accuracy, shown only to see the whole picture",
                "격자의 모든 학습률(시드 평균): 학습률을 고른 기준인 검증 정확도와, 전체 모습을 보기 "
                "위한 테스트 정확도"),
            [say("activation", "활성화"), say("loss", "손실")]
            + [say(f"rate {r}: valid / test", f"학습률 {r}: 검증 / 테스트") for r in rates],
            [[a, LOSS_NAMES.get(loss, loss)]
             + [f"{percent(mean([r['rate_search']['val_accuracy'][i] for r in runs]))} / "
                f"{percent(mean([r['rate_search']['test_accuracy'][i] for r in runs]))}"
                for i in range(len(rates))]
             for (a, loss, _), runs in searched.items()]))
    section.tables.append(comparison_table(section.comparisons, say, lambda s: _arm(s, say)))
    what = (say("test accuracy", "테스트 정확도"),) * 2
    for record in section.comparisons:
        section.conclusion.append(verdict_sentence(record, say, _arm(record["arm"], say),
                                                   _arm(record["reference"], say), what))
    section.conclusion.extend(_lesson(section.comparisons, searched, say))


def _rate_cell(runs, say):
    if not runs[0].get("rate_search"):
        return str(runs[0]["config"].get("learning_rate"))
    chosen = {}
    for run in runs:
        chosen[run["rate_search"]["chosen"]] = chosen.get(run["rate_search"]["chosen"], 0) + 1
    return say("chosen: ", "고름: ") + ", ".join(f"{r} ({n})" for r, n in sorted(chosen.items()))


def _lesson(comparisons, searched, say):
    """What the two designs say together, from their records only."""
    out = []
    shared = [c for c in comparisons if "learning_rate" in c["arm"]]
    own = [c for c in comparisons if "learning_rate_grid" in c["arm"]]
    gap_shared = {c["arm"]["activation"]: c for c in shared}
    gap_own = {c["arm"]["activation"]: c for c in own}
    for activation in gap_own:
        if activation not in gap_shared:
            continue
        a, b = gap_shared[activation], gap_own[activation]
        out.append(say(
            f"With {activation} hidden layers the cross-entropy lead is "
            f"{100 * a['difference']:+.1f} points at the shared rate and "
            f"{100 * b['difference']:+.1f} points when each loss has its own rate: "
            + ("most of the shared-rate gap was the rate, not the loss."
               if abs(b["difference"]) < 0.5 * abs(a["difference"]) else
               "the gap stays when each has its own rate."),
            f"{activation} 은닉층에서 교차 엔트로피의 우위는 공통 학습률에서 "
            f"{100 * a['difference']:+.1f}%p, 손실마다 학습률을 고르면 {100 * b['difference']:+.1f}%p"
            + ("다. 공통 학습률에서 본 차이의 대부분은 손실이 아니라 학습률 때문이다."
               if abs(b["difference"]) < 0.5 * abs(a["difference"]) else
               "다. 각자 학습률을 골라도 차이가 남는다.")))
    stuck = []
    for (activation, loss, _), runs in searched.items():
        best = max(max(r["rate_search"]["val_accuracy"]) for r in runs)
        if best < 0.3:
            stuck.append((activation, loss, best))
    for activation, loss, best in stuck:
        name = f"{activation} + {LOSS_NAMES.get(loss, loss)}"
        out.append(say(
            f"{name} stays near chance at every rate of the grid (best validation accuracy of "
            f"any seed and rate: {percent(best)}). That is the real lesson: MSE's gradient on a "
            f"logit passes through the softmax's derivative, which is near 0 when the net is "
            f"confidently wrong (the softmax figure above), and sigmoid hidden layers shrink it "
            f"again on the way back, so no rate brings the signal back.",
            f"{josa.attach(name, '은')} 격자의 모든 학습률에서 우연 수준에 머문다(시드·학습률 통틀어 가장 "
            f"좋은 검증 정확도 {percent(best)}). 이것이 진짜 교훈이다: 로짓에 대한 MSE의 그래디언트는 "
            f"소프트맥스의 도함수를 거치는데, 신경망이 확신을 가지고 틀릴 때 그 값은 0에 가깝고(위 소프트맥스 "
            f"그림), 시그모이드 은닉층을 거슬러 가며 다시 작아진다. 그래서 어떤 학습률로도 신호가 "
            f"돌아오지 않는다."))
    return out


def _worked_part(section, worked, say):
    rows = [[e["loss"], f"{e['glassnet']:.4f}",
             "—" if e["formula"] is None else f"{e['formula']:.4f}",
             str(KERAS_DOCUMENTED.get(e["loss"], "—"))] for e in worked["examples"]]
    section.tables.append(Table(
        say("Keras's documented examples: glassnet's value, the formula computed with NumPy, "
            "and the number Keras's documentation prints",
            "케라스 문서의 예제: glassnet의 값, NumPy로 계산한 공식, 케라스 문서에 적힌 값"),
        [say("loss", "손실"), "glassnet", say("formula", "공식"), say("Keras docs", "케라스 문서")],
        rows))
    animals = worked["animals"]
    names = [say("dog", "강아지"), say("cat", "고양이"), say("tiger", "호랑이")]
    section.tables.append(Table(
        say("Labels 0 dog, 1 cat, 2 tiger: integer labels with SparseCategoricalCrossentropy "
            "and one-hot labels with CategoricalCrossentropy",
            "정답 0 강아지, 1 고양이, 2 호랑이: 정수 레이블의 SparseCategoricalCrossentropy와 원-핫 "
            "레이블의 CategoricalCrossentropy"),
        [say("label", "레이블"), say("one-hot", "원-핫"), say("prediction", "예측")],
        [[f"{label} ({names[label]})", _vector(np.eye(3)[label], 0), _vector(p)]
         for label, p in zip(animals["labels"], animals["predictions"])]))
    gaps = [abs(e["glassnet"] - KERAS_DOCUMENTED[e["loss"]]) for e in worked["examples"]
            if e["loss"] in KERAS_DOCUMENTED]
    section.conclusion.append(say(
        f"Sparse categorical cross-entropy on integer labels gives {animals['sparse']:.6f} and "
        f"categorical cross-entropy on the same labels one-hot gives {animals['categorical']:.6f}: "
        f"the same loss written for two label formats. glassnet's values stay within "
        f"{max(gaps):.4f} of the numbers in Keras's documentation (printed to 3 decimals).",
        f"정수 레이블의 SparseCategoricalCrossentropy는 {animals['sparse']:.6f}, 같은 레이블을 "
        f"원-핫으로 준 CategoricalCrossentropy는 {animals['categorical']:.6f}: 레이블 형식만 다른 같은 "
        f"손실이다. glassnet의 값은 케라스 문서의 값(소수 셋째 자리)과 {max(gaps):.4f} 이내로 같다."))
