"""§1: a shallow MLP against deeper networks, and what their layers learned."""
import numpy as np

from .. import figures, stats
from .common import Say, Section, Table, color, curves, first_seed, fmt, groups, mean, \
    number, percent, separation, values


def depth(records, lang):
    say = Say(lang)
    by_depth = groups(records, "depth")
    config = records[0]["config"]
    section = Section(setup=say(
        f"digits (pixels / 16), 70/30 split by seed, {config['width']} ReLU units per hidden "
        f"layer, he_normal, Adam, batch {config['batch_size']}, {config['epochs']} epochs; "
        f"depth = number of hidden layers.",
        f"digits(픽셀/16), 시드별 70/30 분할, 은닉층마다 ReLU {config['width']}개, he_normal, Adam, "
        f"배치 {config['batch_size']}, {config['epochs']} 에폭; 깊이 = 은닉층 수."))

    fig, axes = figures.figure(2)
    for index, (depth_, runs) in enumerate(by_depth.items()):
        label = say(f"{depth_} hidden", f"은닉층 {depth_}개")
        figures.band(axes[0, 0], curves(runs, "test_accuracy"), label, color(index), upper=1)
        figures.band(axes[0, 1], curves(runs, "test_loss"), label, color(index))
    axes[0, 0].set(xlabel=say("epoch", "에폭"), ylabel=say("test accuracy", "테스트 정확도"))
    axes[0, 1].set(xlabel=say("epoch", "에폭"), ylabel=say("test loss", "테스트 손실"))
    axes[0, 0].legend()
    section.add_figure("depth-curves", fig, say(
        "Test accuracy and loss per epoch: mean over seeds, band = 95% interval.",
        "에폭별 테스트 정확도와 손실: 시드 평균, 띠 = 95% 구간."))

    kernels = {d: first_seed(runs).get("arrays", {}).get("first_layer_kernels")
               for d, runs in by_depth.items()}
    kernels = {d: k for d, k in kernels.items() if k is not None}
    if kernels:
        fig, axes = figures.figure(8, len(kernels), width=8, height=1.15 * len(kernels))
        for row, (depth_, kernel) in enumerate(kernels.items()):
            figures.digit_images(axes[row], kernel[:8])
            axes[row, 0].set_ylabel(say(f"{depth_} hidden", f"은닉 {depth_}"), fontsize=8)
        section.add_figure("depth-first-layer", fig, say(
            "What the first layer learned: the kernels of 8 first-layer units (seed 0) as 8x8 "
            "images, red positive, blue negative; each unit responds to a pattern of pixels.",
            "첫 층이 배운 것: 첫 층 노드 8개의 가중치(시드 0)를 8x8 이미지로(빨강 양수, 파랑 음수). "
            "각 노드는 특정한 픽셀 패턴에 반응한다."))

    rows = [[str(d), str(runs[0]["metrics"].get("params")),
             fmt(values(runs, "test_accuracy"), percent=True), fmt(values(runs, "test_loss")),
             fmt(values(runs, "train_loss"))] for d, runs in by_depth.items()]
    section.tables.append(Table(
        say("Final numbers per depth (mean ± 95% interval over seeds)",
            "깊이별 최종 수치(시드 평균 ± 95% 구간)"),
        [say("hidden layers", "은닉층 수"), say("parameters", "파라미터 수"),
         say("test accuracy", "테스트 정확도"), say("test loss", "테스트 손실"),
         say("train loss", "학습 손실")], rows))
    _layer_table(section, by_depth, say)
    section.conclusion = _depth_conclusion(by_depth, say)
    return section


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


def _depth_conclusion(by_depth, say):
    depths = list(by_depth)
    accuracy = {d: values(runs, "test_accuracy") for d, runs in by_depth.items()}
    train_loss = {d: mean(values(runs, "train_loss")) for d, runs in by_depth.items()}
    best = max(depths, key=lambda d: mean(accuracy[d]))
    shallow, deepest = depths[0], depths[-1]
    paragraphs = [say(
        f"Best mean test accuracy: {best} hidden layer(s), {percent(mean(accuracy[best]))}. "
        f"{shallow} hidden layer(s): {percent(mean(accuracy[shallow]))}; {deepest} hidden "
        f"layers: "
        f"{percent(mean(accuracy[deepest]))}; {separation(say, accuracy[shallow], accuracy[deepest])}.",
        f"평균 테스트 정확도가 가장 높은 것은 은닉층 {best}개({percent(mean(accuracy[best]))}). "
        f"은닉층 {shallow}개: {percent(mean(accuracy[shallow]))}, {deepest}개: "
        f"{percent(mean(accuracy[deepest]))}; {separation(say, accuracy[shallow], accuracy[deepest])}.")]
    fits_better = train_loss[deepest] < train_loss[shallow]
    gain = mean(accuracy[deepest]) - mean(accuracy[shallow])
    if fits_better and not stats.separated(accuracy[shallow], accuracy[deepest]):
        paragraphs.append(say(
            f"The deeper network fits the training data more closely (train loss "
            f"{number(train_loss[deepest])} vs {number(train_loss[shallow])}) but does not "
            f"generalize measurably better: on 8x8 digits one hidden layer is already enough. "
            f"The notes' point that depth addresses the MLP's problems needs harder data to show "
            f"up in accuracy; here the data do not confirm it.",
            f"깊은 신경망은 학습 데이터에 더 잘 맞지만(학습 손실 {number(train_loss[deepest])} 대 "
            f"{number(train_loss[shallow])}) 일반화 성능은 측정 가능할 만큼 좋아지지 않는다. 8x8 "
            f"digits에서는 은닉층 하나로 이미 충분하다. 깊이가 MLP의 문제를 해결한다는 노트의 "
            f"주장은 더 어려운 데이터에서야 정확도로 드러나며, 이 데이터는 그것을 확인해 주지 않는다."))
    elif gain > 0:
        paragraphs.append(say(
            f"Depth helps here: {deepest} hidden layers gain {100 * gain:.1f} percentage points "
            f"over one, as the notes claim.",
            f"여기서는 깊이가 도움이 된다: 은닉층 {deepest}개가 1개보다 {100 * gain:.1f}%p 높으며, "
            f"노트의 주장과 같다."))
    else:
        paragraphs.append(say(
            f"Depth does not help here: {deepest} hidden layers lose {100 * -gain:.1f} "
            f"percentage points against one; the data disagree with the notes on this small "
            f"data set.",
            f"여기서는 깊이가 도움이 되지 않는다: 은닉층 {deepest}개가 1개보다 {100 * -gain:.1f}%p "
            f"낮다. 이 작은 데이터에서는 노트와 결과가 다르다."))
    return paragraphs
