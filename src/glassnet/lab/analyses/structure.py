"""§1: a shallow MLP against deeper networks, and what their layers learned."""
import numpy as np

from ... import josa
from .. import figures, stats
from .common import Plan, Say, Section, Table, color, comparison_table, curves, first_seed, \
    fmt, groups, judge, mean, number, percent, reached, values, verdict_sentence


def arm_name(subset, say):
    """'2 hidden layers of 64' for a depth arm."""
    depth_, width = subset.get("depth"), subset.get("width")
    return say(f"{depth_} hidden x {width}", f"은닉층 {depth_}개 x {width}")


def depth_plans(records):
    """Every depth against one hidden layer of the same width (the notes' claim: deeper is
    better), and the deepest against one wide layer with as many parameters."""
    arms = {(r["config"]["depth"], r["config"]["width"]) for r in records}
    plans = [Plan("test_accuracy", {"depth": d, "width": 64}, {"depth": 1, "width": 64})
             for d in sorted(d for d, w in arms if w == 64 and d > 1)]
    wide = [w for d, w in arms if d == 1 and w != 64]
    deepest = max((d for d, w in arms if w == 64), default=None)
    if wide and deepest:
        plans.append(Plan("test_accuracy", {"depth": deepest, "width": 64},
                          {"depth": 1, "width": wide[0]}))
    return plans


def depth(records, lang):
    say = Say(lang)
    by_arm = groups(records, "depth", "width")
    config = records[0]["config"]
    comparisons = judge(records, "depth", depth_plans(records))
    grid = config.get("learning_rate_grid")
    section = Section(comparisons=comparisons, setup=say(
        f"digits (pixels / 16), 70/30 split by seed, the first 50 training samples for "
        f"validation; ReLU hidden layers, he_normal, Adam, batch {config['batch_size']}; depth "
        f"= number of hidden layers. Each arm picks its own Adam learning rate from {grid} on "
        f"the validation split and trains to convergence: up to {config['epochs']} epochs, "
        f"stopped when the validation loss has not improved for {config.get('patience')} "
        f"epochs, the best epoch's weights kept. The arm 1 hidden x "
        f"{max(w for _, w in by_arm)} has as many parameters as the deepest net, so depth "
        f"is not confounded with size.",
        f"digits(픽셀/16), 시드별 70/30 분할, 학습 데이터의 처음 50개를 검증용으로; ReLU 은닉층, "
        f"he_normal, Adam, 배치 {config['batch_size']}; 깊이 = 은닉층 수. 설정마다 Adam 학습률을 "
        f"{grid} 중에서 검증 데이터로 고르고, 수렴할 때까지 학습한다: 최대 {config['epochs']} 에폭, "
        f"검증 손실이 {config.get('patience')} 에폭 동안 나아지지 않으면 멈추고 가장 좋았던 에폭의 "
        f"가중치를 쓴다. 은닉층 1개 x {max(w for _, w in by_arm)} 설정은 가장 깊은 신경망과 "
        f"파라미터 수가 같아서, 깊이와 크기가 섞이지 않는다."))

    fig, axes = figures.figure(2)
    for index, ((depth_, width), runs) in enumerate(by_arm.items()):
        label = arm_name({"depth": depth_, "width": width}, say)
        figures.band(axes[0, 0], _common(curves(runs, "test_accuracy")), label, color(index),
                     upper=1)
        train = curves(runs, "train_accuracy")
        if any(train):
            axes[0, 0].plot(np.arange(1, len(train[0]) + 1), train[0], color=color(index),
                            linestyle=":", linewidth=1)
        figures.band(axes[0, 1], _common(curves(runs, "test_loss")), label, color(index),
                     log=True)
        figures.band(axes[0, 1], _common(curves(runs, "loss")), None, color(index), log=True)
        axes[0, 1].lines[-1].set_linestyle(":")
    axes[0, 0].set(xlabel=say("epoch", "에폭"), ylabel=say("accuracy", "정확도"), ylim=(0.8, 1.0))
    axes[0, 1].set(xlabel=say("epoch", "에폭"), ylabel=say("loss", "손실"), yscale="log")
    axes[0, 0].legend()
    section.add_figure("depth-curves", fig, say(
        "Solid: test accuracy and test loss per epoch (mean over seeds, band = 95% interval), "
        "up to the last epoch every seed ran before early stopping; dotted: training accuracy "
        "(seed 0, to its own stop) and training loss (mean). Training loss keeps falling after "
        "the test curves flatten.",
        "실선: 에폭별 테스트 정확도와 테스트 손실(시드 평균, 띠 = 95% 구간). 모든 시드가 조기 종료 "
        "전까지 학습한 에폭까지 그렸다. 점선: 학습 정확도(시드 0, 그 시드가 멈춘 곳까지)와 학습 손실"
        "(평균). 테스트 곡선이 평평해진 뒤에도 학습 손실은 계속 내려간다."))
    _first_layer_figure(section, by_arm, say)

    rows = [[arm_name({"depth": d, "width": w}, say), str(runs[0]["metrics"].get("params")),
             _rates(runs), reached(values(runs, "epochs_run")),
             fmt(values(runs, "test_accuracy"), percent=True), fmt(values(runs, "test_loss")),
             stats.format_positive(values(runs, "train_loss"))]
            for (d, w), runs in by_arm.items()]
    section.tables.append(Table(
        say("Final numbers per arm (mean ± 95% interval over seeds; train loss: geometric mean "
            "and range)", "설정별 최종 수치(시드 평균 ± 95% 구간, 학습 손실은 기하 평균과 범위)"),
        [say("arm", "설정"), say("parameters", "파라미터 수"),
         say("chosen learning rate (seeds)", "고른 학습률(시드 수)"),
         say("epochs run (mean, seeds)", "학습한 에폭(평균, 시드 수)"),
         say("test accuracy", "테스트 정확도"), say("test loss", "테스트 손실"),
         say("train loss", "학습 손실")], rows))
    section.tables.append(comparison_table(comparisons, say, lambda s: arm_name(s, say),
                                           {"test_accuracy": say("test accuracy", "테스트 정확도")}))
    _layer_table(section, {d: runs for (d, w), runs in by_arm.items() if w == 64}, say)
    section.conclusion = _depth_conclusion(comparisons, by_arm, say)
    return section


def _common(curves_):
    """Curves cut to the epochs every seed ran (early stopping ends seeds at different
    epochs; past the shortest, a mean over fewer seeds would jump and its band explode)."""
    shortest = min((len(c) for c in curves_ if c), default=0)
    return [c[:shortest] for c in curves_]


def _rates(runs):
    """'0.001 (2), 0.003 (1)': the learning rates the seeds chose."""
    chosen = {}
    for run in runs:
        rate = run["metrics"].get("learning_rate")
        chosen[rate] = chosen.get(rate, 0) + 1
    return ", ".join(f"{number(r)} ({n})" for r, n in sorted(chosen.items(),
                                                            key=lambda item: item[0] or 0))


def _first_layer_figure(section, by_arm, say):
    """W_end - W_init of 8 first-layer units (seed 0), on the pixels that vary in the
    training data; constant pixels (the border) are grey: no gradient ever reaches them."""
    shown = {}
    for (depth_, width), runs in by_arm.items():
        arrays = first_seed(runs).get("arrays", {})
        if arrays.get("first_layer_initial") is not None and width == 64:
            end = np.asarray(arrays["first_layer_kernels"], dtype="float64")
            start = np.asarray(arrays["first_layer_initial"], dtype="float64")
            varies = np.asarray(arrays["pixel_std"]) > 0
            shown[depth_] = np.where(varies, end - start, np.nan)[:8]
    if not shown:
        return
    fig, axes = figures.figure(8, len(shown), width=8, height=1.15 * len(shown))
    for row, (depth_, change) in enumerate(shown.items()):
        figures.digit_images(axes[row], change)
        axes[row, 0].set_ylabel(say(f"{depth_} hidden", f"은닉 {depth_}"), fontsize=8)
    moved = {d: mean([r["metrics"].get("first_layer_moved") for r in runs])
             for (d, w), runs in by_arm.items() if w == 64}
    section.add_figure("depth-first-layer", fig, say(
        "What the first layer learned (seed 0): the change of the kernels of 8 first-layer "
        "units during training, W_end − W_init, as 8x8 images (red: grew, blue: shrank); grey "
        "pixels are constant in the training data, so their weights never get a gradient. "
        "Relative change ||W_end − W_init|| / ||W_init|| on varying pixels, mean over seeds: "
        + ", ".join(f"{d} hidden {number(m)}" for d, m in moved.items()) + ".",
        "첫 층이 배운 것(시드 0): 첫 층 노드 8개의 가중치가 학습 중 바뀐 양 W_end − W_init을 8x8 "
        "이미지로(빨강: 커짐, 파랑: 작아짐). 회색 픽셀은 학습 데이터에서 값이 변하지 않아 그 가중치에는 "
        "그래디언트가 오지 않는다. 변하는 픽셀에서 상대 변화량 ||W_end − W_init|| / ||W_init||(시드 "
        "평균): " + ", ".join(f"은닉층 {d}개 {number(m)}" for d, m in moved.items()) + "."))


def _layer_table(section, by_depth, say):
    rows = []
    for depth_, runs in by_depth.items():
        per_seed = [run.get("layers") for run in runs if run.get("layers")]
        if not per_seed:
            continue
        for layer in range(len(per_seed[0])):
            def stat(name):
                return float(np.mean([seed[layer][name] for seed in per_seed]))
            rows.append([str(depth_), str(layer + 1), number(stat("mean")), number(stat("std")),
                         percent(stat("active_share")), number(stat("dead_units"))])
    if rows:
        section.tables.append(Table(
            say("Activation statistics per hidden layer on the test set (mean over seeds): "
                "active share = outputs above 0; dead units = units silent on every test sample",
                "테스트 세트에서 은닉층별 활성화 통계(시드 평균): 활성 비율 = 0보다 큰 출력, "
                "죽은 노드 = 모든 테스트 샘플에서 0인 노드"),
            [say("depth", "깊이"), say("layer", "층"), say("mean", "평균"), say("std", "표준편차"),
             say("active share", "활성 비율"), say("dead units", "죽은 노드")], rows))


def _depth_conclusion(comparisons, by_arm, say):
    """Every sentence quotes a comparison record: each depth against one hidden layer, and
    the deepest against one layer with as many parameters."""
    paragraphs = []
    deeper = [c for c in comparisons if c["reference"].get("width") == 64]
    for record in deeper:
        paragraphs.append(verdict_sentence(record, say, arm_name(record["arm"], say),
                                           arm_name(record["reference"], say),
                                           (say("test accuracy", "테스트 정확도"),) * 2))
    better = [c["arm"]["depth"] for c in deeper if c["verdict"] == "better"]
    worse = [c["arm"]["depth"] for c in deeper if c["verdict"] == "worse"]
    if deeper and len(better) == len(deeper):
        gains = [100 * c["difference"] for c in deeper]
        paragraphs.append(say(
            f"Every deeper net beats one hidden layer beyond seed noise: the data agree with "
            f"the notes that depth helps, here by {min(gains):+.1f} to {max(gains):+.1f} points "
            f"of test accuracy.",
            f"깊은 신경망은 모두 은닉층 하나보다 시드 변동을 넘게 낫다. 깊이가 도움이 된다는 노트와 "
            f"데이터가 일치하며, 그 차이는 테스트 정확도 {min(gains):+.1f} ~ {max(gains):+.1f}%p다."))
    elif better:
        paragraphs.append(say(
            f"Depth {', '.join(map(str, better))} beat one hidden layer beyond seed noise; the "
            f"others are not decided at these seeds.",
            f"깊이 {josa.attach(', '.join(map(str, better)), '은')} 은닉층 하나보다 시드 변동을 넘게 낫고, 나머지는 "
            f"이 시드 수로 판정되지 않는다."))
    elif worse:
        paragraphs.append(say(
            f"Depth {', '.join(map(str, worse))} did worse than one hidden layer beyond seed "
            f"noise: here the data disagree with the notes.",
            f"깊이 {josa.attach(', '.join(map(str, worse)), '은')} 은닉층 하나보다 시드 변동을 넘게 나쁘다. 여기서는 "
            f"데이터가 노트와 다르다."))
    elif deeper:
        paragraphs.append(say(
            "No depth is decided against one hidden layer at these seeds; this does not say "
            "one layer is enough, only that the differences are within seed noise so far.",
            "이 시드 수로는 어떤 깊이도 은닉층 하나와 판정되지 않는다. 은닉층 하나로 충분하다는 뜻이 "
            "아니라, 지금까지의 차이가 시드 변동 안에 있다는 뜻이다."))
    for record in comparisons:
        if record["reference"].get("width") != 64:
            paragraphs.append(verdict_sentence(
                record, say, arm_name(record["arm"], say), arm_name(record["reference"], say),
                (say("test accuracy", "테스트 정확도"),) * 2)
                + say(" Both have about the same number of parameters, so this one isolates "
                      "depth from size.",
                      " 두 신경망의 파라미터 수가 거의 같으므로, 이 비교는 크기와 떼어 낸 깊이의 효과다."))
    return paragraphs
