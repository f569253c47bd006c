"""§3: softmax against max, the cross-entropy table, and MSE against cross-entropy."""
import numpy as np

from .. import figures, stats
from .common import Say, Section, Table, color, curves, fmt, groups, mean, number, percent, \
    reached as _reached, separation, values

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
    fig, axes = figures.figure(len(inputs) + 1, width=3.0 * (len(inputs) + 1))
    positions = np.arange(len(inputs[0]))
    for column, z in enumerate(inputs):
        ax = axes[0, column]
        ax.bar(positions - 0.2, worked["max"][column], 0.4, label="max", color=color(1))
        ax.bar(positions + 0.2, worked["softmax"][column], 0.4, label="softmax", color=color(0))
        ax.set(title="z = " + _vector(z, 1), ylim=(0, 1.05),
               xticks=positions, xticklabels=[f"z{i + 1}" for i in positions])
    axes[0, 0].legend()
    series = record["series"]
    ax = axes[0, -1]
    ax.plot(series["right_probability"], series["cross_entropy"], label=say("cross-entropy", "교차 엔트로피"),
            color=color(0))
    ax.plot(series["right_probability"], series["mse"], label="MSE", color=color(1))
    ax.set(xlabel=say("probability of the right class", "정답 클래스의 확률"),
           ylabel=say("loss", "손실"))
    ax.legend()
    section.add_figure("softmax", fig, say(
        "Left: max gives all to the largest input, softmax shares in proportion to exp(z). "
        "Right: as the output approaches the target the cross-entropy falls to 0, steeply when "
        "the right class is unlikely, where MSE stays flat.",
        "왼쪽: max는 가장 큰 입력에 전부를 주고, 소프트맥스는 exp(z)에 비례해 나눈다. 오른쪽: 출력이 "
        "정답에 가까워질수록 교차 엔트로피는 0으로 내려가며, 정답 확률이 낮을 때 가파르다. MSE는 "
        "거기서 평평하다."))
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
            f"{_vector(soft, 3)}을 내며, 합이 1이고 모든 입력에 따라 부드럽게 변하므로 모든 입력이 "
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


def losses(records, lang):
    say = Say(lang)
    worked = next((r for r in records if r["config"].get("part") == "worked"), None)
    training = [r for r in records if r["config"].get("part") == "training"]
    section = Section()
    if training:
        config = training[0]["config"]
        section.setup = say(
            f"digits (pixels / 16), {config['depth']} hidden layers of {config['width']}, "
            f"softmax output, one-hot targets, SGD learning rate {config['learning_rate']}, "
            f"batch {config['batch_size']}, {config['epochs']} epochs; only the loss and the "
            f"hidden activation change.",
            f"digits(픽셀/16), 은닉층 {config['depth']}개(각 {config['width']}개), 소프트맥스 출력, "
            f"원-핫 정답, SGD 학습률 {config['learning_rate']}, 배치 {config['batch_size']}, "
            f"{config['epochs']} 에폭; 손실과 은닉층 활성화 함수만 바꾼다.")
        _training_part(section, groups(training, "activation", "loss"), say)
    if worked:
        _worked_part(section, worked, say)
    return section


def _training_part(section, by_setting, say):
    activations_ = list(dict.fromkeys(a for a, _ in by_setting))
    losses_ = list(dict.fromkeys(loss for _, loss in by_setting))     # one colour per loss
    fig, axes = figures.figure(len(activations_))
    for column, activation in enumerate(activations_):
        for (act, loss), runs in by_setting.items():
            if act == activation:
                figures.band(axes[0, column], curves(runs, "test_accuracy"), loss,
                             color(losses_.index(loss)), upper=1)
        axes[0, column].set(title=say(f"{activation} hidden layers", f"{activation} 은닉층"),
                            xlabel=say("epoch", "에폭"), ylabel=say("test accuracy", "테스트 정확도"),
                            ylim=(0, 1))
        axes[0, column].legend()
    section.add_figure("losses-training", fig, say(
        "Test accuracy per epoch with MSE and with cross-entropy (mean, 95% band).",
        "MSE와 교차 엔트로피의 에폭별 테스트 정확도(평균, 95% 구간)."))
    section.tables.append(Table(
        say("Final numbers", "최종 수치"),
        [say("activation", "활성화"), say("loss", "손실"), say("test accuracy", "테스트 정확도"),
         say("epochs to 90% (mean of seeds that got there)", "90%까지 에폭(도달한 시드 평균)")],
        [[a, loss, fmt(values(runs, "test_accuracy"), percent=True),
          _reached(values(runs, "epochs_to_90"))] for (a, loss), runs in by_setting.items()]))
    wins = []
    for activation in activations_:
        mse = by_setting.get((activation, "mean_squared_error"))
        ce = by_setting.get((activation, "categorical_crossentropy"))
        if not mse or not ce:
            continue
        a_mse, a_ce = values(mse, "test_accuracy"), values(ce, "test_accuracy")
        gap = mean(a_ce) - mean(a_mse)
        wins.append(gap > 0 and stats.separated(a_ce, a_mse))
        section.conclusion.append(say(
            f"With {activation} hidden layers cross-entropy reaches {percent(mean(a_ce))} and MSE "
            f"{percent(mean(a_mse))} ({100 * gap:+.1f} points for cross-entropy; "
            f"{separation(say, a_ce, a_mse)}).",
            f"{activation} 은닉층에서 교차 엔트로피는 {percent(mean(a_ce))}, MSE는 "
            f"{percent(mean(a_mse))}에 도달한다(교차 엔트로피가 {100 * gap:+.1f}%p; "
            f"{separation(say, a_ce, a_mse)})."))
    if wins and all(wins):
        section.conclusion.append(say(
            "The data agree with the notes that better losses than MSE exist. Why: with softmax "
            "and cross-entropy the gradient on the logits is p - y, large when the prediction "
            "is wrong; MSE's gradient also carries the softmax's derivative, which is small "
            "exactly when the output is confidently wrong.",
            "데이터는 MSE보다 나은 손실이 있다는 노트와 일치한다. 이유: 소프트맥스와 교차 엔트로피에서 "
            "로짓에 대한 그래디언트는 p - y로, 예측이 틀릴수록 크다. MSE의 그래디언트에는 소프트맥스의 "
            "도함수도 곱해지는데, 출력이 확신을 가지고 틀릴 때 바로 그 값이 작다."))
    elif wins:
        section.conclusion.append(say(
            "Cross-entropy does not beat MSE beyond seed noise in every setting here, so the "
            "data support the notes only in part.",
            "여기서는 모든 설정에서 교차 엔트로피가 시드 변동을 넘어 MSE를 이기지는 않으므로, 데이터는 "
            "노트를 일부만 뒷받침한다."))


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
