"""§4: weight initialization — symmetry, activation histograms, the notes' experiment,
exploding gradients, and (beyond the notes) He initialization in deep ReLU networks."""
import numpy as np

from ... import josa
from .. import figures, stats
from ..experiments import init_label
from .common import Plan, Say, Section, Table, color, comparison_table, curves, \
    find_comparison, findings_summary, fmt, found, groups, judge, mean, number, percent, \
    reached as _reached, values, verdict_sentence

ACCURACY = ("test accuracy", "테스트 정확도")


def symmetry_plans(records):
    """Random init against every equal-weight init."""
    inits = list(dict.fromkeys(init_key(r["config"]["init"]) for r in records))
    random = next((r["config"]["init"] for r in records
                   if r["config"]["init"] == "glorot_uniform"), None)
    if random is None:
        return []
    return [Plan("test_accuracy", {"init": "glorot_uniform"}, {"init": init})
            for init in _distinct(r["config"]["init"] for r in records)
            if init != "glorot_uniform"] if inits else []


def init_key(init):
    return init_label(init)


def _distinct(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def init_compare_plans(records):
    """The notes' claim (he_normal and glorot_uniform beat RandomNormal), he_normal against
    glorot_uniform, in the notes' setup and with each initializer at its own rate; and Deep
    Learning from Scratch's Xavier and He against std 0.01 on the final batch loss."""
    plans = []
    parts = _distinct(r["config"]["part"] for r in records)
    for part in [p for p in parts if p != "dlfs"]:
        inits = _distinct(r["config"]["init"] for r in records if r["config"]["part"] == part)
        for arm, reference in (("he_normal", "RandomNormal"), ("glorot_uniform", "RandomNormal"),
                               ("he_normal", "glorot_uniform")):
            if arm in inits and reference in inits:
                plans.append(Plan("test_accuracy", {"part": part, "init": arm},
                                  {"part": part, "init": reference}))
    if "dlfs" in parts:
        inits = _distinct(r["config"]["init"] for r in records if r["config"]["part"] == "dlfs")
        for arm, reference in ((1, 0), (2, 0), (2, 1)):
            if len(inits) > arm:
                plans.append(Plan("final_batch_loss", {"part": "dlfs", "init": inits[arm]},
                                  {"part": "dlfs", "init": inits[reference]},
                                  higher_is_better=False))
    return plans


def exploding_plans(records):
    """Each remedy (He, clipnorm, a smaller rate) against the too-large RandomNormal(0.5) at
    rate 0.01 without clipping."""
    configs = _distinct(r["config"] for r in records)
    plain = next((c for c in configs if init_label(c["init"]) == "RandomNormal(0.5)"
                  and not c.get("clipnorm") and c["learning_rate"] == 0.01), None)
    if plain is None:
        return []
    reference = _exploding_subset(plain)
    return [Plan("test_accuracy", _exploding_subset(c), reference) for c in configs
            if c is not plain and _exploding_subset(c) != reference
            and (init_label(c["init"]) == "RandomNormal(0.5)" or c["init"] == "he_normal")]


def _exploding_subset(config):
    return {"init": config["init"], "learning_rate": config["learning_rate"],
            "clipnorm": config.get("clipnorm")}


def deep_relu_plans(records):
    """he_normal against glorot_uniform at every depth."""
    depths = _distinct(r["config"]["depth"] for r in records)
    return [Plan("test_accuracy", {"depth": d, "init": "he_normal"},
                 {"depth": d, "init": "glorot_uniform"}) for d in depths]


def _init_name(subset, say=None):
    """'RandomNormal(0.5) (rate 0.01)', 'he_normal (own rate)' in the report's language."""
    say = say or (lambda en, ko: en)
    extra = []
    if subset.get("clipnorm"):
        extra.append(f"clipnorm {subset['clipnorm']}")
    if "learning_rate" in subset and not subset.get("clipnorm"):
        extra.append(say(f"rate {subset['learning_rate']}", f"학습률 {subset['learning_rate']}"))
    name = init_label(subset["init"])
    if subset.get("part") == "notes-own-rate":
        name += say(" (own rate)", " (각자 학습률)")
    return name + (f" ({', '.join(extra)})" if extra else "")


def _epoch_axes(ax, say, ylabel):
    ax.set(xlabel=say("epoch", "에폭"), ylabel=ylabel)


def symmetry(records, lang):
    say = Say(lang)
    config = records[0]["config"]
    by_init = groups(records, "init")
    section = Section(setup=say(
        f"digits (pixels / 16), {config['depth']} hidden layers of {config['width']} "
        f"{config['activation']} units, every kernel (output layer too) from the same "
        f"initializer, biases 0, SGD learning rate {config['learning_rate']}, "
        f"{config['epochs']} epochs. Distinct units = groups of equal kernel columns "
        f"(to 1e-6 of the largest weight) after training.",
        f"digits(픽셀/16), {config['activation']} 은닉층 {config['depth']}개(각 {config['width']}개), "
        f"출력층까지 모든 커널을 같은 초기화로, 편향 0, SGD 학습률 {config['learning_rate']}, "
        f"{config['epochs']} 에폭. 서로 다른 노드 = 학습 후 커널의 열이 같은(가장 큰 가중치의 1e-6 "
        f"이내) 묶음의 수."))
    fig, axes = figures.figure(2)
    for index, (init, runs) in enumerate(by_init.items()):
        figures.band(axes[0, 0], curves(runs, "test_accuracy"), init, color(index), upper=1)
    _epoch_axes(axes[0, 0], say, say("test accuracy", "테스트 정확도"))
    axes[0, 0].legend()
    labels = list(by_init)
    layer_count = len(records[0]["metrics"]["distinct_units"])
    width = 0.8 / layer_count
    for layer in range(layer_count):
        counts = [mean([r["metrics"]["distinct_units"][layer] for r in runs])
                  for runs in by_init.values()]
        axes[0, 1].bar(np.arange(len(labels)) + layer * width, counts, width,
                       label=say(f"layer {layer + 1}", f"{layer + 1}층"), color=color(layer))
    axes[0, 1].set_xticks(np.arange(len(labels)) + width * (layer_count - 1) / 2, labels,
                          rotation=20, ha="right")
    axes[0, 1].set(ylabel=say("distinct units", "서로 다른 노드 수"))
    axes[0, 1].legend()
    section.add_figure("symmetry", fig, say(
        "Left: test accuracy per epoch. Right: how many different units each hidden layer has "
        "after training.", "왼쪽: 에폭별 테스트 정확도. 오른쪽: 학습 후 은닉층마다 서로 다른 노드의 수."))
    section.comparisons = judge(records, "symmetry", symmetry_plans(records))
    units = records[0]["metrics"]["units"]
    section.tables.append(Table(
        say("After training (mean over seeds)", "학습 후(시드 평균)"),
        [say("initializer", "초기화")] + [say(f"distinct units, layer {i + 1} (of {u})",
                                            f"{i + 1}층 서로 다른 노드(전체 {u})")
                                        for i, u in enumerate(units)]
        + [say("test accuracy", "테스트 정확도"), say("diagnose (seeds)", "diagnose 진단(시드 수)")],
        [[init] + [number(mean([r["metrics"]["distinct_units"][i] for r in runs]))
                   for i in range(len(units))]
         + [fmt(values(runs, "test_accuracy"), percent=True), findings_summary(runs, say)]
         for init, runs in by_init.items()]))
    for init, runs in by_init.items():
        distinct = max(max(r["metrics"]["distinct_units"]) for r in runs)
        accuracy = mean(values(runs, "test_accuracy"))
        symmetric = found(runs, "symmetric_units")
        silent = found(runs, "no_learning_signal")
        seen = []
        if symmetric:
            seen.append(f"symmetric_units ({symmetric}/{len(runs)})")
        if silent:
            seen.append(f"no_learning_signal ({silent}/{len(runs)})")
        vanished = found(runs, "vanishing_gradient")
        if vanished:
            seen.append(f"vanishing_gradient ({vanished}/{len(runs)})")
        diagnosis = say(f" diagnose reports {', '.join(seen)}.",
                        f" diagnose는 {josa.attach(', '.join(seen), '을')} 보고한다.") if seen else ""
        if vanished:
            diagnosis += say(
                " The vanishing gradient here is not depth: with every output weight equal, "
                "the error sent back to hidden unit j is Σ_k w (p_k − y_k) = w (1 − 1) = 0, since "
                "the softmax probabilities and the one-hot target both sum to 1; after that the "
                "hidden layers get only as much as the output weights have drifted apart.",
                " 여기서 그래디언트 소실의 원인은 깊이가 아니다: 출력층 가중치가 모두 같으면 은닉 노드 "
                "j로 돌아가는 오차는 Σ_k w (p_k − y_k) = w (1 − 1) = 0이다. 소프트맥스 확률과 원-핫 "
                "정답은 모두 합이 1이기 때문이다. 그 뒤로도 은닉층은 출력층 가중치가 서로 달라진 만큼만 "
                "그래디언트를 받는다.")
        if distinct == 1:
            section.conclusion.append(say(
                f"{init}: after training every hidden layer still has 1 distinct unit out of "
                f"{units[0]} — equal weights get equal gradients, so the units stay identical "
                f"forever and the layer works like a single unit; test accuracy "
                f"{percent(accuracy)}.{diagnosis} This is the notes' case for breaking the "
                f"symmetry.",
                f"{init}: 학습 후에도 모든 은닉층에서 서로 다른 노드가 {units[0]}개 중 1개뿐이다. 같은 "
                f"가중치는 같은 그래디언트를 받으므로 노드들은 영원히 같고, 층은 노드 하나처럼 "
                f"동작한다. 테스트 정확도 {percent(accuracy)}.{diagnosis} 노트가 말하는 '균형 "
                f"깨뜨리기'가 필요한 경우다."))
        else:
            section.conclusion.append(say(
                f"{init}: up to {distinct} distinct units per layer; test accuracy "
                f"{percent(accuracy)}.{diagnosis}",
                f"{init}: 층마다 서로 다른 노드가 최대 {distinct}개, 테스트 정확도 "
                f"{percent(accuracy)}.{diagnosis}"))
    section.tables.append(comparison_table(section.comparisons, say, lambda s: _init_name(s, say),
                                           {"test_accuracy": say(*ACCURACY)}))
    for record in section.comparisons:
        section.conclusion.append(verdict_sentence(
            record, say, _init_name(record["arm"], say), _init_name(record["reference"], say),
            (say(*ACCURACY),) * 2))
    return section


def init_histograms(records, lang):
    say = Say(lang)
    by_setting = groups(records, "activation", "init")
    config = records[0]["config"]
    section = Section(setup=say(
        f"Deep Learning from Scratch 6.2.2: x = randn({config['samples']}, {config['width']}), "
        f"{config['depth']} Dense layers of {config['width']} units without bias, forward pass "
        f"only; glorot_normal and he_normal are Keras's (variance 1/100 and 2/100 here).",
        f"밑바닥부터 시작하는 딥러닝 6.2.2: x = randn({config['samples']}, {config['width']}), "
        f"편향 없는 Dense {config['width']}개짜리 {config['depth']}층, 순전파만. glorot_normal과 "
        f"he_normal은 케라스의 것(여기서 분산 1/100, 2/100)."))
    if not records[0].get("histograms"):
        section.conclusion = [say("Histograms need glassnet.inspect, which is not installed.",
                                  "히스토그램에는 glassnet.inspect가 필요하지만 설치되어 있지 않다.")]
        return section
    activations_ = list(dict.fromkeys(a for a, _ in by_setting))
    for activation in activations_:
        inits = [i for a, i in by_setting if a == activation]
        fig, axes = figures.figure(config["depth"], len(inits), width=10,
                                   height=1.4 * len(inits))
        for row, init in enumerate(inits):
            runs = by_setting[(activation, init)]
            low, high = runs[0]["range"]
            counts = np.sum([r["histograms"] for r in runs], axis=0)
            edges = np.linspace(low, high, counts.shape[1] + 1)
            for layer in range(config["depth"]):
                ax = axes[row, layer]
                ax.bar(edges[:-1], counts[layer], width=edges[1] - edges[0], align="edge",
                       color=color(row))
                ax.set_yticks([])
                if row == 0:
                    ax.set_title(say(f"layer {layer + 1}", f"{layer + 1}층"))
                if activation == "relu":
                    _relu_panel(ax, counts[layer], runs, layer)
            axes[row, 0].set_ylabel(init, fontsize=7)
        for ax in axes[-1]:
            ax.set_xlabel(say("output", "출력"))
        relu_note = say(" ReLU's bar at 0 (its exact zeros) is cut to show the rest; each panel "
                        "gives the share of zeros and of outputs above 1 (off the axis).",
                        " ReLU의 0 막대(정확히 0인 출력)는 나머지가 보이도록 잘랐다. 각 칸에 0인 "
                        "출력과 1보다 큰 출력(축 밖)의 비율을 적었다.")
        section.add_figure(f"init-histograms-{activation}", fig, say(
            f"{activation}: histogram of each layer's outputs, one row per initializer "
            f"(seeds pooled).",
            f"{activation}: 층별 출력의 히스토그램, 초기화마다 한 줄(시드 합산).")
            + (relu_note if activation == "relu" else ""))
    rows = []
    for (activation, init), runs in by_setting.items():
        std = np.mean([r["metrics"]["std"] for r in runs], axis=0)
        edge = np.mean([r["metrics"]["saturated_or_zero"] for r in runs], axis=0)
        rows.append([activation, init, " → ".join(number(s) for s in std), percent(edge[-1])])
    section.tables.append(Table(
        say("Spread of each layer's outputs (std, layer 1 → 5) and the share at the limits in "
            "the last layer (sigmoid below 0.01 or above 0.99, tanh beyond ±0.99, ReLU exactly 0)",
            "층별 출력의 퍼짐(표준편차, 1층 → 5층)과 마지막 층에서 한계에 있는 비율(시그모이드 0.01 "
            "미만 또는 0.99 초과, tanh ±0.99 밖, ReLU는 정확히 0)"),
        [say("activation", "활성화"), say("initializer", "초기화"), say("std per layer", "층별 표준편차"),
         say("at the limits, layer 5", "5층에서 포화되었거나 0인 비율")], rows))
    section.conclusion = _histogram_conclusion(by_setting, say)
    return section


def _relu_panel(ax, counts, runs, layer):
    """A ReLU histogram: the first bin (the zeros) clipped so the positive outputs show, and
    the measured shares of zeros and of outputs beyond the axis written in the panel."""
    rest = max(counts[1:], default=0)
    if rest > 0:
        ax.set_ylim(0, 1.15 * rest)
    zeros = float(np.mean([r["metrics"]["saturated_or_zero"][layer] for r in runs]))
    beyond = float(np.mean([r["metrics"]["outside_range"][layer] for r in runs]))
    ax.text(0.97, 0.93, f"0: {percent(zeros)}\n>1: {percent(beyond)}", transform=ax.transAxes,
            ha="right", va="top", fontsize=7,
            bbox={"facecolor": "white", "alpha": 0.85, "linewidth": 0, "pad": 1})


def _histogram_conclusion(by_setting, say):
    def last(activation, init, name):
        runs = by_setting.get((activation, init))
        return None if not runs else float(np.mean([r["metrics"][name][-1] for r in runs]))

    inits = list(dict.fromkeys(i for _, i in by_setting))
    big, small = inits[0], inits[1]
    paragraphs = []
    saturated = last("sigmoid", big, "saturated_or_zero")
    if saturated is not None:
        paragraphs.append(say(
            f"sigmoid with {big}: {percent(saturated)} of layer 5's outputs sit within 0.01 of 0 "
            f"or 1, where sigmoid's derivative is nearly 0 — the vanishing gradient's cause, seen "
            f"before any training. With {small} the outputs bunch at 0.5 (std "
            f"{number(last('sigmoid', small, 'std'))}): every unit computes nearly the same "
            f"thing, a loss of expressiveness. glorot_normal keeps a std of "
            f"{number(last('sigmoid', 'glorot_normal', 'std'))} at layer 5.",
            f"시그모이드와 {big}: 5층 출력의 {josa.attach(percent(saturated), '이')} 0이나 1에서 0.01 이내에 있다. "
            f"그곳에서 시그모이드의 도함수는 거의 0이다 — 학습 전부터 보이는 그래디언트 소실의 원인. "
            f"{small}에서는 출력이 0.5에 몰린다(표준편차 {number(last('sigmoid', small, 'std'))}): 모든 "
            f"노드가 거의 같은 값을 내어 표현력을 잃는다. glorot_normal은 5층에서도 표준편차 "
            f"{josa.attach(number(last('sigmoid', 'glorot_normal', 'std')), '을')} 유지한다."))
    relu = {init: last("relu", init, "std") for init in inits}
    if relu.get("he_normal") is not None and relu.get("glorot_normal") is not None:
        paragraphs.append(say(
            f"ReLU, std of layer 5: {big} {number(relu[big])}, {small} {number(relu[small])}, "
            f"glorot_normal {number(relu['glorot_normal'])}, he_normal {number(relu['he_normal'])}. "
            f"ReLU zeroes half of its inputs, so Xavier's variance 1/n lets the signal shrink "
            f"layer by layer and He's 2/n keeps it — the reason He initialization exists.",
            f"ReLU의 5층 표준편차: {big} {number(relu[big])}, {small} {number(relu[small])}, "
            f"glorot_normal {number(relu['glorot_normal'])}, he_normal {number(relu['he_normal'])}. "
            f"ReLU는 입력의 절반을 0으로 만드므로 Xavier의 분산 1/n에서는 신호가 층마다 줄고, He의 "
            f"2/n에서는 유지된다 — He 초기화가 있는 이유다."
        ) if relu["glorot_normal"] < relu["he_normal"] else say(
            f"ReLU, std of layer 5: glorot_normal {number(relu['glorot_normal'])}, he_normal "
            f"{number(relu['he_normal'])}: here He does not keep the spread better than Xavier, "
            f"unlike Deep Learning from Scratch's figure.",
            f"ReLU의 5층 표준편차: glorot_normal {number(relu['glorot_normal'])}, he_normal "
            f"{number(relu['he_normal'])}: 밑바닥부터 시작하는 딥러닝의 그림과 달리 여기서는 He가 "
            f"Xavier보다 퍼짐을 더 잘 유지하지 않는다."))
    return paragraphs


def init_compare(records, lang):
    say = Say(lang)
    notes = [r for r in records if r["config"].get("part") in ("notes", "notes-own-rate")]
    dlfs = [r for r in records if r["config"].get("part") == "dlfs"]
    section = Section(setup=say(
        "The notes' experiment: digits as load_digits gives them (pixels 0..16, not scaled), "
        "train_test_split(test_size=0.3, random_state=seed), the first 50 training samples as "
        "validation data; Flatten, Dense(300, relu), Dense(100, relu), Dense(10, softmax) with "
        "the same kernel_initializer in every layer (Keras's \"RandomNormal\" is N(0, 0.05²), "
        "stddev 0.05); sparse categorical cross-entropy, "
        "optimizer='sgd' (learning rate 0.01), batch 32, 20 epochs. Beside it, the same "
        "experiment with each initializer choosing its own SGD rate from 0.003, 0.01, 0.03 on "
        "the 50 validation samples. Deep Learning from Scratch "
        "6.2.4: 4 x 100 ReLU, pixels / 16, SGD(0.01), batches of 128 drawn with replacement; "
        "its 'Xavier' and 'He' are N(0, 1/fan_in) and N(0, 2/fan_in).",
        "노트의 실험: load_digits 그대로의 digits(픽셀 0..16, 정규화 없음), "
        "train_test_split(test_size=0.3, random_state=시드), 학습 데이터의 처음 50개를 검증용으로; "
        "Flatten, Dense(300, relu), Dense(100, relu), Dense(10, softmax), 모든 층에 같은 "
        "kernel_initializer(케라스의 \"RandomNormal\"은 N(0, 0.05²), 표준편차 0.05); sparse "
        "categorical cross-entropy, optimizer='sgd'(학습률 0.01), 배치 32, 20 에폭. 그 옆에 같은 "
        "실험을 초기화마다 SGD 학습률을 0.003, 0.01, 0.03 중에서 검증 샘플 50개로 골라 다시 한다. 밑바닥부터 시작하는 딥러닝 6.2.4: ReLU 100개 x 4층, 픽셀/16, SGD(0.01), 복원 추출한 "
        "128개 배치; 그 책의 'Xavier'와 'He'는 N(0, 1/fan_in)과 N(0, 2/fan_in)."))
    section.comparisons = judge(records, "init-compare", init_compare_plans(records))
    for part in _distinct(r["config"]["part"] for r in notes):
        _notes_part(section, groups([r for r in notes if r["config"]["part"] == part], "init"),
                    say, part)
    if dlfs:
        _dlfs_part(section, groups(dlfs, "init"), say)
    section.tables.append(comparison_table(
        section.comparisons, say, lambda s: _init_name(s, say),
        {"test_accuracy": say(*ACCURACY),
         "final_batch_loss": say("final batch loss", "마지막 배치 손실")}))
    return section


def _notes_part(section, by_init, say, part="notes"):
    own = part != "notes"
    fig, axes = figures.figure(3)
    for index, (init, runs) in enumerate(by_init.items()):
        figures.band(axes[0, 0], curves(runs, "accuracy"), init, color(index), upper=1)
        figures.band(axes[0, 1], curves(runs, "val_accuracy"), init, color(index), upper=1)
        figures.band(axes[0, 2], curves(runs, "loss"), init, color(index), log=True)
    _epoch_axes(axes[0, 0], say, say("training accuracy", "학습 정확도"))
    _epoch_axes(axes[0, 1], say, say("validation accuracy (50 samples)", "검증 정확도(50개)"))
    _epoch_axes(axes[0, 2], say, say("training loss", "학습 손실"))
    axes[0, 2].set_yscale("log")
    axes[0, 0].legend()
    section.add_figure("init-compare-own-rate" if own else "init-compare-notes", fig, say(
        ("Each initializer at its own rate" if own else "The notes' experiment")
        + " over seeds: mean and 95% band.",
        ("초기화마다 고른 학습률로" if own else "노트의 실험 그대로,")
        + " 시드별로 반복한 결과: 평균과 95% 구간."))
    section.tables.append(Table(
        say("Each initializer at its own rate (chosen on the 50 validation samples), final "
            "numbers" if own else "The notes' experiment, final numbers",
            "초기화마다 고른 학습률(검증 샘플 50개로 선택), 최종 수치" if own else
            "노트의 실험, 최종 수치"),
        [say("initializer", "초기화"), say("learning rate", "학습률"),
         say("test accuracy", "테스트 정확도"), say("test loss", "테스트 손실"),
         say("validation accuracy", "검증 정확도"), say("diverged (seeds)", "발산(시드 수)")],
        [[init, ", ".join(number(r) for r in _distinct(values(runs, "learning_rate"))),
          fmt(values(runs, "test_accuracy"), percent=True),
          fmt(values(runs, "test_loss")), fmt(values(runs, "val_accuracy"), percent=True),
          f"{sum(v or 0 for v in values(runs, 'diverged'))}/{len(runs)}"]
         for init, runs in by_init.items()]))
    paragraphs = []
    for record in section.comparisons:
        if record["arm"].get("part") == part:
            paragraphs.append(verdict_sentence(record, say, _init_name(record["arm"], say),
                                               _init_name(record["reference"], say),
                                               (say(*ACCURACY),) * 2))
    diverged = {i: sum(v or 0 for v in values(runs, "diverged")) for i, runs in by_init.items()}
    if any(diverged.values()):
        paragraphs.append(say(
            "Diverged runs: " + ", ".join(f"{i} {n}/{len(by_init[i])}" for i, n in diverged.items())
            + ". On raw pixels (0..16) the first layer's inputs are up to 16 times larger than "
              "scaled ones, so an initializer sized for unit-scale inputs (He, with its factor 2) "
              "starts with large activations and SGD can overshoot into NaN.",
            "발산한 실행: " + ", ".join(f"{i} {n}/{len(by_init[i])}" for i, n in diverged.items())
            + ". 원본 픽셀(0..16)은 정규화한 입력보다 최대 16배 크므로, 단위 크기 입력에 맞춘 "
              "초기화(계수 2의 He)는 큰 활성화로 시작하고 SGD가 NaN으로 튈 수 있다."))
    elif not own:
        paragraphs.append(say(
            "No run diverged with these seeds, even he_normal on raw pixels 0..16.",
            "이 시드들에서는 원본 픽셀 0..16의 he_normal을 포함해 발산한 실행이 없다."))
    section.conclusion.extend(paragraphs)


def _dlfs_part(section, by_init, say):
    fig, axes = figures.figure(1, width=6)
    window = 20
    for index, (init, runs) in enumerate(by_init.items()):
        smoothed = [np.convolve(np.nan_to_num(stats.clean(c), nan=np.nan),
                                np.ones(window) / window, mode="valid")
                    for c in curves(runs, "batch_loss")]
        figures.band(axes[0, 0], smoothed, init, color(index),
                     x=np.arange(window, window + len(smoothed[0])))
    axes[0, 0].set(xlabel=say("iteration", "반복"),
                   ylabel=say(f"batch loss (moving mean of {window})", f"배치 손실({window}회 이동 평균)"))
    axes[0, 0].legend()
    section.add_figure("init-compare-dlfs", fig, say(
        "Deep Learning from Scratch 6.2.4 on digits: training loss per iteration.",
        "digits에서 밑바닥부터 시작하는 딥러닝 6.2.4: 반복별 학습 손실."))
    section.tables.append(Table(
        say("Deep Learning from Scratch 6.2.4's version", "밑바닥부터 시작하는 딥러닝 6.2.4절의 실험"),
        [say("initializer", "초기화"), say("final batch loss (last 20)", "마지막 배치 손실(20회)"),
         say("test accuracy", "테스트 정확도")],
        [[init, fmt(values(runs, "final_batch_loss")),
          fmt(values(runs, "test_accuracy"), percent=True)] for init, runs in by_init.items()]))
    labels = list(by_init)
    losses = {i: mean(values(runs, "final_batch_loss")) for i, runs in by_init.items()}
    stuck = [i for i in labels if losses[i] > 2.0]
    width = next(iter(by_init.values()))[0]["config"]["hidden"][0]
    shrink = 0.01 * (width / 2) ** 0.5
    section.conclusion.append(say(
        "Deep Learning from Scratch's version: final batch loss " + ", ".join(
            f"{i} {number(losses[i])}" for i in labels) + ". "
        + (f"{', '.join(stuck)} stays near ln 10 = 2.30 (no learning): with std 0.01 and "
           f"{width} inputs per unit a ReLU layer scales the signal by 0.01 x sqrt({width}/2) = "
           f"{shrink:.2f}, so it and the gradients fade layer by layer. " if stuck else "")
        + "The paired comparisons on the final batch loss (lower is better):",
        "밑바닥부터 시작하는 딥러닝의 실험: 마지막 배치 손실 " + ", ".join(
            f"{i} {number(losses[i])}" for i in labels) + ". "
        + (f"{josa.attach(', '.join(stuck), '은')} ln 10 = 2.30 근처에 머문다(학습 안 됨): 표준편차 "
           f"0.01, 노드당 입력 {width}개에서 ReLU 층은 신호를 0.01 x sqrt({width}/2) = {shrink:.2f}배로 "
           f"만들므로 신호와 그래디언트가 층마다 사라진다. " if stuck else "")
        + "마지막 배치 손실(낮을수록 좋음)의 짝지은 비교:"))
    loss_name = (say("final batch loss", "마지막 배치 손실"),) * 2
    for record in section.comparisons:
        if record["metric"] == "final_batch_loss":
            section.conclusion.append(verdict_sentence(
                record, say, _init_name(record["arm"], say), _init_name(record["reference"], say),
                loss_name))


def exploding(records, lang):
    say = Say(lang)
    config = records[0]["config"]
    by_arm = {}
    for record in records:
        by_arm.setdefault(_init_name(_exploding_subset(record["config"]), say), []).append(record)
    section = Section(comparisons=judge(records, "exploding", exploding_plans(records)), setup=say(
        f"digits (pixels / 16), {config['depth']} hidden layers of {config['width']} ReLU units, "
        f"SGD, {config['epochs']} epochs, with a Probe; gradient norms before training on "
        f"{config['samples']} training samples, and the loss and every kernel's gradient norm of "
        f"each of the first {config.get('record_batches')} batches. RandomNormal(σ) draws "
        f"N(0, σ²); the remedies for σ = 0.5 are He (he_normal, σ = sqrt(2/fan_in)), gradient "
        f"clipping (clipnorm) and a smaller rate.",
        f"digits(픽셀/16), ReLU 은닉층 {config['depth']}개(각 {config['width']}개), SGD, "
        f"{config['epochs']} 에폭, Probe 사용. 학습 전 학습 샘플 {config['samples']}개에서 그래디언트 "
        f"크기를, 처음 {config.get('record_batches')}개 배치마다 손실과 모든 커널의 그래디언트 크기를 "
        f"잰다. RandomNormal(σ)은 N(0, σ²)에서 뽑는다. σ = 0.5의 해결책으로 He 초기화(he_normal, σ = "
        f"sqrt(2/fan_in)), 그래디언트 클리핑(clipnorm), 더 작은 학습률을 함께 보인다."))
    fig, axes = figures.figure(3, width=12)
    for index, (name, runs) in enumerate(by_arm.items()):
        norms = [r["metrics"].get("gradient_norms_start") for r in runs]
        plain = not runs[0]["config"].get("clipnorm") \
            and runs[0]["config"]["learning_rate"] == config["learning_rate"]
        if all(norms) and plain:
            figures.band(axes[0, 0], norms, name, color(index), log=True)
        shown = min(runs, key=lambda r: r["seed"])
        losses = shown.get("series", {}).get("batch_loss") or []
        gradients = shown.get("series", {}).get("batch_gradient_norms") or []
        _until_broken(axes[0, 1], losses, name, color(index))
        if gradients:
            _until_broken(axes[0, 2], [g[0] for g in gradients], name, color(index))
    axes[0, 0].set(yscale="log", xlabel=say("layer", "층"),
                   ylabel=say("||dL/dW|| at start", "시작 시 ||dL/dW||"))
    axes[0, 0].xaxis.set_major_locator(figures.integer_ticks())
    axes[0, 1].set(yscale="log", xlabel=say("batch", "배치"),
                   ylabel=say("batch loss (seed 0)", "배치 손실(시드 0)"))
    axes[0, 2].set(yscale="log", xlabel=say("batch", "배치"),
                   ylabel=say("layer 1 ||dL/dW|| (seed 0)", "1층 ||dL/dW||(시드 0)"))
    for ax in axes[0, :3:2]:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize=7)
    section.add_figure("exploding", fig, say(
        "Left: gradient norm per layer before training (geometric mean and 95% band over "
        "seeds). Middle and right: seed 0's loss and first-layer gradient norm batch by batch; "
        "a line ends with × at the first batch whose loss or gradient is NaN or inf. The "
        "remedies (clipnorm, a smaller rate, He) stay finite.",
        "왼쪽: 학습 전 층별 그래디언트 크기(시드 기하 평균과 95% 구간). 가운데와 오른쪽: 시드 0의 "
        "배치별 손실과 1층 그래디언트 크기. 손실이나 그래디언트가 NaN 또는 inf가 된 첫 배치에서 선이 ×로 "
        "끝난다. 해결책(clipnorm, 더 작은 학습률, He)은 끝까지 유한하다."))
    section.tables.append(Table(
        say("Per arm (gradient norm: geometric mean over seeds and its 95% range)",
            "설정별(그래디언트 크기: 시드 기하 평균과 95% 범위)"),
        [say("arm", "설정"), say("first layer ||dL/dW|| at start", "시작 시 1층 ||dL/dW||"),
         say("diverged (seeds)", "발산(시드 수)"),
         say("first non-finite batch (seed 0)", "처음 NaN/inf가 된 배치(시드 0)"),
         say("test accuracy", "테스트 정확도"), say("diagnose (seeds)", "diagnose 진단(시드 수)")],
        [[name, stats.format_positive([(r["metrics"].get("gradient_norms_start") or [None])[0]
                                       for r in runs]),
          f"{sum(v or 0 for v in values(runs, 'diverged'))}/{len(runs)}",
          _broken_batch(min(runs, key=lambda r: r["seed"])),
          fmt(values(runs, "test_accuracy"), percent=True), findings_summary(runs, say)]
         for name, runs in by_arm.items()]))
    section.tables.append(comparison_table(section.comparisons, say, lambda s: _init_name(s, say),
                                           {"test_accuracy": say(*ACCURACY)}))
    for name, runs in by_arm.items():
        first = stats.geometric([(r["metrics"].get("gradient_norms_start") or [None])[0]
                                 for r in runs])
        diverged = sum(v or 0 for v in values(runs, "diverged"))
        caught = [c for c in ("exploding_gradient", "diverged") if found(runs, c)]
        start = stats.significant(first[0]) if first else "n/a"
        section.conclusion.append(say(
            f"{name}: first-layer gradient {start} at the start; "
            + (f"diverged to NaN/inf in {diverged} of {len(runs)} seeds, from epoch "
               f"{_first_non_finite_epoch(runs)}"
               if diverged else f"trained to {percent(mean(values(runs, 'test_accuracy')))}")
            + (f"; diagnose reports {' and '.join(caught)}" if caught else "") + ".",
            f"{name}: 시작 시 1층 그래디언트 {start}; "
            + (f"시드 {len(runs)}개 중 {diverged}개에서 {_first_non_finite_epoch(runs)} 에폭부터 "
               f"NaN/inf로 발산"
               if diverged else f"{percent(mean(values(runs, 'test_accuracy')))}까지 학습")
            + (f"; diagnose는 {josa.attach(', '.join(caught), '을')} 보고한다" if caught else "")
            + "."))
    for record in section.comparisons:
        section.conclusion.append(verdict_sentence(
            record, say, _init_name(record["arm"], say), _init_name(record["reference"], say),
            (say(*ACCURACY),) * 2))
    section.conclusion.append(_why_flat(config, say))
    return section


def _why_flat(config, say):
    """Why the gradient is the same size in every layer here, not growing toward the input."""
    width, depth_ = config["width"], config["depth"]
    gain = 0.5 * (width / 2) ** 0.5
    return say(
        f"Why the left panel is flat, not the textbook picture of a gradient growing layer by "
        f"layer toward the input: a kernel's gradient is its layer's input times the error "
        f"from above, dL/dW_l = a_(l−1)ᵀ δ_l. With N(0, σ²) weights each ReLU layer multiplies "
        f"the forward signal by about σ·sqrt(fan_in/2) ({gain:.2f} for σ = 0.5 and {width} "
        f"units) and the backward error by the same factor. Low layers see a small input but "
        f"a large error, high layers the reverse, so every layer's gradient is about "
        f"{gain:.2f}^{depth_ - 1} ≈ {gain ** (depth_ - 1):.0f} times larger than under He, "
        f"whose factor is 1. The explosion is in the size of every layer's step, and SGD "
        f"overshoots within a few batches.",
        f"왼쪽 그림이 교과서처럼 입력 쪽으로 갈수록 커지지 않고 평평한 이유: 커널의 그래디언트는 그 "
        f"층의 입력과 위에서 온 오차의 곱, dL/dW_l = a_(l−1)ᵀ δ_l이다. N(0, σ²) 가중치에서 ReLU 층은 "
        f"순전파 신호를 약 σ·sqrt(fan_in/2)배(σ = 0.5, 노드 {width}개에서 {gain:.2f}배), 역전파 오차도 "
        f"같은 배수로 키운다. 아래층은 입력이 작고 오차가 크며 위층은 그 반대라서, 모든 층의 "
        f"그래디언트가 배수 1인 He 초기화보다 약 {gain:.2f}^{depth_ - 1} ≈ {gain ** (depth_ - 1):.0f}배 "
        f"크다. 폭주는 모든 층의 스텝 크기에 있고, SGD는 몇 배치 만에 튀어 나간다.")


def _until_broken(ax, values_, label, colour):
    """A per-batch curve up to its first non-finite value, marked with x."""
    numbers = np.array([np.nan if v is None else v for v in values_], dtype="float64")
    if not len(numbers):
        return
    bad = np.flatnonzero(~np.isfinite(numbers))
    end = bad[0] if len(bad) else len(numbers)
    if len(bad):
        label = f"{label}: NaN/inf @ {end + 1}"
    x = np.arange(1, end + 1)
    ax.plot(x, numbers[:end], color=colour, label=label, linewidth=1.2, marker="." if end < 5
            else None)
    if len(bad) and end > 0:
        ax.plot([end + 1], [numbers[end - 1]], marker="x", color=colour, markersize=8)


def _broken_batch(run):
    numbers = [v for v in run.get("series", {}).get("batch_loss") or []]
    for index, value in enumerate(numbers):
        if value is None:
            return str(index + 1)
    return "—"


def _first_non_finite_epoch(runs):
    """The earliest epoch (1-based) whose training loss was NaN or inf in any seed, or None."""
    epochs = [index + 1 for run in runs
              for index, value in enumerate(run.get("series", {}).get("loss") or [])
              if value is None]
    return min(epochs, default=None)


def deep_relu(records, lang):
    say = Say(lang)
    config = records[0]["config"]
    by_setting = groups(records, "depth", "init")
    depths = list(dict.fromkeys(d for d, _ in by_setting))
    section = Section(setup=say(
        f"digits (pixels / 16), {config['width']} ReLU units per hidden layer, SGD learning "
        f"rate {config['learning_rate']}, batch {config['batch_size']}, {config['epochs']} "
        f"epochs, with a Probe. glorot_uniform has variance 1/fan_in here (fan_in = fan_out), "
        f"he_normal 2/fan_in (He et al. 2015).",
        f"digits(픽셀/16), 은닉층마다 ReLU {config['width']}개, SGD 학습률 {config['learning_rate']}, "
        f"배치 {config['batch_size']}, {config['epochs']} 에폭, Probe 사용. 여기서 glorot_uniform의 "
        f"분산은 1/fan_in(fan_in = fan_out), he_normal은 2/fan_in(He 외 2015)."))
    fig, axes = figures.figure(len(depths))
    for column, depth_ in enumerate(depths):
        for index, ((d, init), runs) in enumerate(by_setting.items()):
            if d == depth_:
                figures.band(axes[0, column], curves(runs, "test_accuracy"), init, color(index), upper=1)
        axes[0, column].set(title=say(f"{depth_} hidden layers", f"은닉층 {depth_}개"), ylim=(0, 1))
        _epoch_axes(axes[0, column], say, say("test accuracy", "테스트 정확도"))
        axes[0, column].legend()
    section.add_figure("deep-relu", fig, say(
        "Test accuracy per epoch (mean, 95% band).", "에폭별 테스트 정확도(평균, 95% 구간)."))
    section.tables.append(Table(
        say("Per depth and initializer", "깊이·초기화별"),
        [say("hidden layers", "은닉층 수"), say("initializer", "초기화"),
         say("first layer ||dL/dW|| at start", "시작 시 첫 층 ||dL/dW||"),
         say("first/last layer gradient at start", "시작 시 첫 층/마지막 층 그래디언트"),
         say("epochs to 50%", "50%까지 에폭"), say("test accuracy", "테스트 정확도"),
         say("diagnose (seeds)", "diagnose 진단(시드 수)")],
        [[str(d), init, number(_first_layer_gradient(runs)),
          number(mean(values(runs, "first_to_last_gradient_start"))),
          _reached(values(runs, "epochs_to_50")), fmt(values(runs, "test_accuracy"), percent=True),
          findings_summary(runs, say)] for (d, init), runs in by_setting.items()]))
    section.comparisons = judge(records, "deep-relu", deep_relu_plans(records))
    section.tables.append(comparison_table(
        section.comparisons, say, lambda s: f"{s['depth']}, {s['init']}",
        {"test_accuracy": say(*ACCURACY)}))
    for depth_ in depths:
        xavier, he = by_setting.get((depth_, "glorot_uniform")), by_setting.get((depth_, "he_normal"))
        if not xavier or not he:
            continue
        a_x, a_h = values(xavier, "test_accuracy"), values(he, "test_accuracy")
        e_x, e_h = values(xavier, "epochs_to_50"), values(he, "epochs_to_50")
        g_x, g_h = _first_layer_gradient(xavier), _first_layer_gradient(he)
        stalled = found(xavier, "stalled")
        recovered = found(xavier, "stalled", ended=True)
        record = find_comparison(section.comparisons, {"depth": depth_, "init": "he_normal"},
                                 {"depth": depth_, "init": "glorot_uniform"})
        if record is None:
            continue
        section.conclusion.append(say(
            f"{depth_} layers: glorot_uniform {percent(mean(a_x))} ({_reached_text(e_x, say)}), "
            f"he_normal {percent(mean(a_h))} ({_reached_text(e_h, say)}). "
            + verdict_sentence(record, say, "he_normal", "glorot_uniform", (say(*ACCURACY),) * 2)
            + (f" diagnose calls glorot_uniform stalled in {stalled}/{len(xavier)} seeds"
               + (f"; in {recovered} the stall ended and the net began to learn (kept as info)"
                  if recovered else "") + "." if stalled else "")
            + (f" Xavier-scale init stalls: each ReLU layer halves the signal's variance, so "
               f"after this many layers the output barely depends on the input, and the "
               f"first layer's gradient starts at {number(g_x)} against He's {number(g_h)}."
               if mean(a_x) < 0.5 <= mean(a_h) else
               " Both train; He gets there sooner." if mean(a_x) >= 0.5 and
               _first(e_h) < _first(e_x) else ""),
            f"{depth_}층: glorot_uniform {percent(mean(a_x))}({_reached_text(e_x, say)}), "
            f"he_normal {percent(mean(a_h))}({_reached_text(e_h, say)}). "
            + verdict_sentence(record, say, "he_normal", "glorot_uniform", (say(*ACCURACY),) * 2)
            + (f" diagnose는 glorot_uniform을 시드 {len(xavier)}개 중 {stalled}개에서 stalled로 "
               f"진단한다" + (f". 그중 {recovered}개는 정체가 끝나고 학습이 시작되어 info로 남았다"
                          if recovered else "") + "." if stalled else "")
            + (f" Xavier 방식으로 초기화하면 학습이 멈춘다: ReLU 층을 지날 때마다 신호의 분산이 "
               f"절반으로 줄어, 이만큼 깊으면 출력이 입력에 거의 의존하지 않는다. 첫 층의 그래디언트도 "
               f"{number(g_x)}에서 시작한다(He는 {number(g_h)})." if mean(a_x) < 0.5 <= mean(a_h)
               else " 둘 다 학습되지만 He가 더 빠르다." if mean(a_x) >= 0.5 and
               _first(e_h) < _first(e_x) else "")))
    return section


def _first_layer_gradient(runs):
    """The geometric mean over seeds of the first layer's gradient norm at the start."""
    norms = [(r["metrics"].get("gradient_norms_start") or [None])[0] for r in runs]
    norms = [n for n in norms if n]
    return float(np.exp(np.mean(np.log(norms)))) if norms else None


def _reached_text(epochs, say):
    """'reached 50% after 3.0 epochs (3/3 seeds)', or 'never reached 50%'."""
    hits = [e for e in epochs if e is not None]
    if not hits:
        return say("never reached 50%", "50%에 도달하지 못함")
    return say(f"reached 50% after {sum(hits) / len(hits):.1f} epochs ({len(hits)}/{len(epochs)} "
               f"seeds)", f"50% 도달 {sum(hits) / len(hits):.1f} 에폭, 시드 {len(epochs)}개 중 "
               f"{len(hits)}개")


def _first(epochs):
    reached = [e for e in epochs if e is not None]
    return np.mean(reached) if len(reached) == len(epochs) and reached else np.inf



