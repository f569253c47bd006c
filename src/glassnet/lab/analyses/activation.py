"""§2: vanishing gradients through sigmoid layers, and activations compared on the same tasks."""
import numpy as np

from .. import figures
from .common import Say, Section, Table, color, findings_summary, first_seed, fmt, \
    groups, mean, number, percent, separation, values


def vanishing(records, lang):
    say = Say(lang)
    config = records[0]["config"]
    by_setting = groups(records, "activation", "depth")
    section = Section(setup=say(
        f"digits (pixels / 16), {config['width']} units per hidden layer, glorot_uniform "
        f"(Keras's default), SGD learning rate {config['learning_rate']}, batch "
        f"{config['batch_size']}, {config['epochs']} epochs. Gradient norms ||dL/dW|| of every "
        f"Dense kernel on a fixed batch of {config['samples']} training samples, from "
        f"glassnet.inspect.gradients, before training and after every epoch.",
        f"digits(픽셀/16), 은닉층마다 {config['width']}개, glorot_uniform(케라스 기본값), SGD "
        f"학습률 {config['learning_rate']}, 배치 {config['batch_size']}, {config['epochs']} 에폭. "
        f"고정된 학습 샘플 {config['samples']}개에서 glassnet.inspect.gradients로 구한 각 Dense "
        f"커널의 그래디언트 크기 ||dL/dW||, 학습 전과 매 에폭 후."))
    if records[0].get("series", {}).get("gradient_norms") is None:
        section.conclusion = [say("Gradient measurements need glassnet.inspect, which is not "
                                  "installed; only accuracy is shown.",
                                  "그래디언트 측정에는 glassnet.inspect가 필요하지만 설치되어 있지 "
                                  "않아 정확도만 보인다.")]
        return section
    depths = sorted({d for _, d in by_setting})
    fig, axes = figures.figure(len(depths))
    for column, depth_ in enumerate(depths):
        ax = axes[0, column]
        for index, activation in enumerate(("sigmoid", "relu")):
            runs = by_setting.get((activation, depth_))
            if not runs:
                continue
            norms = [np.array(r["series"]["gradient_norms"], dtype="float64") for r in runs]
            layers = np.arange(1, norms[0].shape[1] + 1)
            figures.band(ax, [n[0] for n in norms], f"{activation}, " + say("start", "시작"),
                         color(index), x=layers, log=True)
            figures.band(ax, [n[-1] for n in norms], f"{activation}, " + say("end", "끝"),
                         color(index + 2), x=layers, log=True)
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(figures.integer_ticks())
        ax.set(xlabel=say("layer (1 = first)", "층 (1 = 첫 층)"), ylabel="||dL/dW||",
               title=say(f"{depth_} hidden layers", f"은닉층 {depth_}개"))
    axes[0, 0].legend()
    section.add_figure("vanishing-gradients", fig, say(
        "Gradient norm reaching each layer before training (start) and after the last epoch "
        "(end), log scale, mean and 95% band over seeds.",
        "학습 전(시작)과 마지막 에폭 후(끝)에 각 층에 도달한 그래디언트 크기(로그 축), 시드 평균과 95% 구간."))

    _through_training(section, by_setting, depths[-1], say)
    rows = [[activation, str(depth_), number(mean(values(runs, "first_to_last_gradient_start"))),
             number(mean(values(runs, "first_to_last_gradient_end"))),
             fmt(values(runs, "test_accuracy"), percent=True), findings_summary(runs, say)]
            for (activation, depth_), runs in by_setting.items()]
    section.tables.append(Table(
        say("First layer's gradient norm divided by the last layer's (1 = no shrinking), and "
            "accuracy", "첫 층 그래디언트 크기 / 마지막 층 그래디언트 크기(1 = 줄어들지 않음)와 정확도"),
        [say("activation", "활성화"), say("hidden layers", "은닉층 수"),
         say("ratio at start", "시작 시 비율"), say("ratio at end", "끝 비율"),
         say("test accuracy", "테스트 정확도"), say("diagnose (seeds)", "diagnose 진단(시드 수)")],
        rows))
    deepest = depths[-1]
    for activation in ("sigmoid", "relu"):
        runs = by_setting.get((activation, deepest))
        chain = first_seed(runs).get("chain") if runs else None
        if not chain:
            continue
        norms = first_seed(runs)["series"]["gradient_norms"][0]
        rows = [[str(layer + 1), number(chain["mean_derivative"][layer]),
                 number(chain["product_to_output"][layer]), number(norms[layer])]
                for layer in range(len(chain["mean_derivative"]))]
        section.tables.append(Table(
            say(f"The chain rule with numbers, {activation}, {deepest} hidden layers (seed 0, "
                f"before training): the gradient reaching layer l is multiplied by f'(z) of "
                f"every layer above it, and by their weights too; ||dL/dW|| is the measured "
                f"result of both",
                f"숫자로 본 연쇄 법칙: {activation}, 은닉층 {deepest}개(시드 0, 학습 전). l층에 "
                f"도달하는 그래디언트에는 그 위 모든 층의 f'(z)와 가중치가 곱해진다. ||dL/dW||는 둘을 "
                f"모두 거친 측정값이다"),
            [say("layer", "층"), say("mean f'(z)", "평균 f'(z)"),
             say("product of f' from this layer to the top", "이 층부터 맨 위까지 f'의 곱"),
             "||dL/dW||"], rows))
    section.conclusion = _vanishing_conclusion(by_setting, deepest, say)
    return section


def _through_training(section, by_setting, deepest, say):
    """Every layer's gradient norm after every epoch at the deepest setting (seed 0)."""
    fig, axes = figures.figure(2)
    for column, activation in enumerate(("sigmoid", "relu")):
        runs = by_setting.get((activation, deepest))
        if not runs:
            continue
        norms = np.array(first_seed(runs)["series"]["gradient_norms"], dtype="float64")
        for layer in range(norms.shape[1]):
            shade = 0.15 + 0.85 * layer / max(norms.shape[1] - 1, 1)
            axes[0, column].plot(np.arange(norms.shape[0]), norms[:, layer],
                                 color=(shade * 0.8, 0.2, 1 - shade), linewidth=1,
                                 label=say(f"layer {layer + 1}", f"{layer + 1}층")
                                 if layer in (0, norms.shape[1] - 1) else None)
        axes[0, column].set(yscale="log", xlabel=say("epoch (0 = before training)",
                                                     "에폭 (0 = 학습 전)"),
                            ylabel="||dL/dW||", title=f"{activation}, {deepest}")
        axes[0, column].legend()
    section.add_figure("vanishing-through-training", fig, say(
        f"Gradient norm of each of the {deepest} hidden layers (blue: first, red: last) and "
        f"the output layer through training (seed 0).",
        f"은닉층 {deepest}개(파랑: 첫 층, 빨강: 마지막 층)와 출력층의 학습 중 그래디언트 크기(시드 0)."))


def _vanishing_conclusion(by_setting, deepest, say):
    sigmoid, relu = by_setting.get(("sigmoid", deepest)), by_setting.get(("relu", deepest))
    if not sigmoid or not relu:
        return []
    ratio_s = mean(values(sigmoid, "first_to_last_gradient_start"))
    ratio_r = mean(values(relu, "first_to_last_gradient_start"))
    chain_s = first_seed(sigmoid).get("chain") or {}
    largest = max(chain_s.get("mean_derivative") or [float("nan")])
    accuracy_s, accuracy_r = values(sigmoid, "test_accuracy"), values(relu, "test_accuracy")
    paragraphs = [say(
        f"With {deepest} sigmoid layers the first layer receives {number(ratio_s)} times the "
        f"last layer's gradient before training; with ReLU {number(ratio_r)} times. Sigmoid's "
        f"derivative is at most 0.25 and its measured mean per layer is at most "
        f"{number(largest)}, so each layer multiplies the gradient by a small factor on its way "
        f"back, as the notes say.",
        f"시그모이드 층 {deepest}개에서는 학습 전 첫 층이 마지막 층 그래디언트의 {number(ratio_s)}배를 "
        f"받고, ReLU에서는 {number(ratio_r)}배를 받는다. 시그모이드의 도함수는 최대 0.25이고 층별 "
        f"평균 측정값은 {number(largest)} 이하이므로, 거꾸로 전달되는 동안 층마다 작은 수가 곱해진다. "
        f"노트의 설명과 같다.")]
    if ratio_s < ratio_r and mean(accuracy_r) <= mean(accuracy_s):
        paragraphs.append(say(
            f"The gradients behave as the notes say, but accuracy does not follow: sigmoid "
            f"{percent(mean(accuracy_s))}, ReLU {percent(mean(accuracy_r))}.",
            f"그래디언트는 노트의 설명대로지만 정확도는 그렇지 않다: 시그모이드 "
            f"{percent(mean(accuracy_s))}, ReLU {percent(mean(accuracy_r))}."))
    elif ratio_s < ratio_r:
        paragraphs.append(say(
            f"Test accuracy after training: sigmoid {percent(mean(accuracy_s))}, ReLU "
            f"{percent(mean(accuracy_r))}; {separation(say, accuracy_s, accuracy_r)}. The data "
            f"agree with the notes: ReLU keeps the gradient alive where sigmoid lets it vanish.",
            f"학습 후 테스트 정확도: 시그모이드 {percent(mean(accuracy_s))}, ReLU "
            f"{percent(mean(accuracy_r))}; {separation(say, accuracy_s, accuracy_r)}. 데이터는 "
            f"노트와 일치한다: 시그모이드에서는 그래디언트가 사라지지만 ReLU에서는 살아 있다."))
    else:
        paragraphs.append(say(
            "Here the ReLU network's gradient shrinks at least as much as the sigmoid one's; "
            "the data do not support the notes' remedy at this depth.",
            "여기서는 ReLU 신경망의 그래디언트도 시그모이드만큼 줄어든다. 이 깊이에서는 데이터가 "
            "노트의 해결책을 뒷받침하지 않는다."))
    relu_deep = mean(accuracy_r)
    shallowest = min(d for _, d in by_setting)
    shallow = by_setting.get(("relu", shallowest))
    if shallow and mean(values(shallow, "test_accuracy")) - relu_deep > 0.05:
        unstable = _unstable_seeds(relu)
        paragraphs.append(say(
            f"ReLU is not the whole story: its {deepest}-layer network reaches only "
            f"{percent(relu_deep)} (with {shallowest} layers "
            f"{percent(mean(values(shallow, 'test_accuracy')))}), although its gradient does "
            f"not shrink on the way back (first/last ratio {number(ratio_r)}). "
            + (f"Its training loss climbs back up in {len(unstable)} of {len(relu)} seeds "
               f"(lowest and final loss: {', '.join(unstable)}): at learning rate "
               f"{first_seed(relu)['config']['learning_rate']} SGD is unstable at this depth."
               if unstable else "The cause here is not a vanishing gradient."),
            f"ReLU만으로 끝나지 않는다: {deepest}층 ReLU 신경망은 {percent(relu_deep)}에 그친다"
            f"({shallowest}층일 때 {percent(mean(values(shallow, 'test_accuracy')))}). 그래디언트가 "
            f"거꾸로 전달되며 줄어들지는 않는다(첫 층/마지막 층 비율 {number(ratio_r)}). "
            + (f"시드 {len(relu)}개 중 {len(unstable)}개에서 학습 손실이 다시 올라간다(최저와 마지막 "
               f"손실: {', '.join(unstable)}): 학습률 "
               f"{first_seed(relu)['config']['learning_rate']}의 SGD는 이 깊이에서 불안정하다."
               if unstable else "여기서 원인은 그래디언트 소실이 아니다.")))
    return paragraphs


def _unstable_seeds(runs):
    """'0.152 -> 1.43' for each seed whose final training loss is over twice its lowest."""
    out = []
    for run in runs:
        losses = [v for v in run.get("series", {}).get("loss") or [] if v is not None]
        if losses and losses[-1] > 2 * min(losses):
            out.append(f"{number(min(losses))} → {number(losses[-1])}")
    return out


ACTIVATION_ORDER = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "linear")


def activations(records, lang):
    say = Say(lang)
    by_setting = groups(records, "dataset", "activation")
    datasets = list(dict.fromkeys(d for d, _ in by_setting))
    toy = [d for d in datasets if d != "digits"]
    names = [a for a in ACTIVATION_ORDER if any(a == b for _, b in by_setting)]
    toy_config = next((r["config"] for r in records if r["config"]["dataset"] != "digits"), {})
    section = Section(setup=say(
        f"2-D sets: {toy_config.get('n_samples')} points, 70/30 split, {toy_config.get('depth')} "
        f"hidden layers of {toy_config.get('width')} units, Adam learning rate "
        f"{toy_config.get('learning_rate')}, {toy_config.get('epochs')} epochs. Digits: 2 hidden "
        f"layers of 64, Adam, 15 epochs. Only the hidden activation changes.",
        f"2차원 데이터: 점 {toy_config.get('n_samples')}개, 70/30 분할, 은닉층 "
        f"{toy_config.get('depth')}개(각 {toy_config.get('width')}개), Adam 학습률 "
        f"{toy_config.get('learning_rate')}, {toy_config.get('epochs')} 에폭. digits: 은닉층 2개(각 "
        f"64개), Adam, 15 에폭. 은닉층의 활성화 함수만 바꾼다."))
    if toy:
        fig, axes = figures.figure(len(names), len(toy), width=1.9 * len(names),
                                   height=1.9 * len(toy))
        for row, dataset in enumerate(toy):
            for column, activation in enumerate(names):
                runs = by_setting.get((dataset, activation))
                arrays = first_seed(runs).get("arrays") if runs else None
                if not arrays:
                    axes[row, column].axis("off")
                    continue
                accuracy = mean(values(runs, "test_accuracy"))
                figures.decision_boundary(axes[row, column], arrays["boundary"],
                                          arrays["extent"], arrays["x_train"],
                                          arrays["y_train"], f"{activation} {percent(accuracy)}")
            axes[row, 0].set_ylabel(dataset)
        section.add_figure("activations-boundaries", fig, say(
            "Decision boundaries (seed 0): colour = predicted probability of the red class, "
            "black line = 0.5; the title gives the mean test accuracy over seeds.",
            "결정 경계(시드 0): 색 = 빨간 클래스일 확률의 예측값, 검은 선 = 0.5. 제목은 시드 평균 "
            "테스트 정확도."))
    fig, axes = figures.figure(1, width=1.0 + 1.1 * len(names), height=0.5 + 0.45 * len(datasets))
    grid = np.array([[mean(values(by_setting.get((d, a), []), "test_accuracy"))
                      for a in names] for d in datasets])
    axes[0, 0].imshow(grid, cmap="viridis", vmin=0.5, vmax=1.0, aspect="auto")
    for (row, column), value in np.ndenumerate(grid):
        axes[0, 0].text(column, row, percent(value), ha="center", va="center", fontsize=8,
                        color="white" if value < 0.8 else "black")
    axes[0, 0].set_xticks(range(len(names)), names)
    axes[0, 0].set_yticks(range(len(datasets)), datasets)
    axes[0, 0].grid(False)
    section.add_figure("activations-accuracy", fig, say(
        "Mean test accuracy of every activation on every data set.",
        "데이터별·활성화 함수별 평균 테스트 정확도."))
    section.tables.append(Table(
        say("Test accuracy (mean ± 95% interval over seeds)",
            "테스트 정확도(시드 평균 ± 95% 구간)"),
        [say("data set", "데이터")] + names,
        [[d] + [fmt(values(by_setting.get((d, a), []), "test_accuracy"), percent=True)
                for a in names] for d in datasets]))
    section.conclusion = _activations_conclusion(by_setting, datasets, names, say)
    return section


def _activations_conclusion(by_setting, datasets, names, say):
    paragraphs, linear_worst, linear_good, also_poor = [], [], [], []
    for dataset in datasets:
        means = {a: mean(values(by_setting.get((dataset, a), []), "test_accuracy"))
                 for a in names}
        best, worst = _tied(means, max), _tied(means, min)
        paragraphs.append(say(
            f"{dataset}: best {', '.join(best)} ({percent(means[best[0]])}), worst "
            f"{', '.join(worst)} ({percent(means[worst[0]])}).",
            f"{dataset}: 가장 좋은 것 {', '.join(best)}({percent(means[best[0]])}), 가장 나쁜 것 "
            f"{', '.join(worst)}({percent(means[worst[0]])})."))
        if "linear" not in means:
            continue
        if means["linear"] <= means[worst[0]] + 0.005:
            linear_worst.append(dataset)
        elif means["linear"] >= 0.9:
            linear_good.append(f"{dataset} {percent(means['linear'])}")
        else:
            also_poor.append(f"{dataset} ({', '.join(worst)} {percent(means[worst[0]])}, linear "
                             f"{percent(means['linear'])})")
    if "linear" in names:
        paragraphs.append(say(
            f"Linear is the worst (or within 0.5 points of it) on {len(linear_worst)} of "
            f"{len(datasets)} data sets ({', '.join(linear_worst) or 'none'}): a stack of linear "
            f"layers is one linear map, so it can do no better than a straight boundary."
            + (f" Where it is not the worst, a straight boundary is already good: "
               f"{', '.join(linear_good)}." if linear_good else "")
            + (f" Elsewhere another activation does even worse than linear: "
               f"{'; '.join(also_poor)}." if also_poor else ""),
            f"선형은 데이터 {len(datasets)}개 중 {len(linear_worst)}개"
            f"({', '.join(linear_worst) or '없음'})에서 가장 나쁘다(0.5%p 이내 포함). 선형 층을 "
            f"쌓아도 하나의 선형 변환이므로 직선 경계 이상을 할 수 없다."
            + (f" 가장 나쁘지 않은 곳은 직선 경계로도 충분한 경우다: {', '.join(linear_good)}."
               if linear_good else "")
            + (f" 그 밖의 곳에서는 다른 활성화 함수가 선형보다도 나쁘다: {'; '.join(also_poor)}."
               if also_poor else "")))
    toy = [d for d in datasets if d != "digits"]
    for activation in ("relu", "tanh"):
        if activation not in names or not toy:
            continue
        means = {d: mean(values(by_setting.get((d, activation), []), "test_accuracy"))
                 for d in toy}
        lowest = min(means, key=means.get)
        if means[lowest] >= 0.9:
            paragraphs.append(say(
                f"{activation} separates every 2-D set (lowest: {lowest}, "
                f"{percent(means[lowest])}), as the notes' figure shows.",
                f"{activation}은 모든 2차원 데이터를 잘 나눈다(가장 낮은 것: {lowest}, "
                f"{percent(means[lowest])}). 노트의 그림과 같다."))
        else:
            paragraphs.append(say(
                f"{activation} does not separate every 2-D set here: on {lowest} it reaches "
                f"{percent(means[lowest])} with this small network and budget, so the notes' "
                f"'ReLU and tanh classify well' holds only in part.",
                f"여기서 {activation}은 모든 2차원 데이터를 잘 나누지는 못한다: {lowest}에서 "
                f"{percent(means[lowest])}에 그친다(이 작은 신경망과 학습 예산에서). 'ReLU와 tanh가 "
                f"원만하게 분류한다'는 노트의 말은 일부만 맞는다."))
    return paragraphs


def _tied(means, pick):
    """The names whose mean equals the best (or worst) one as printed (to 0.1 points)."""
    target = percent(means[pick(means, key=means.get)])
    return [name for name, value in means.items() if percent(value) == target]
