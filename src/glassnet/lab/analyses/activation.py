"""§2: vanishing gradients through sigmoid layers, and activations compared on the same tasks."""
import numpy as np

from .. import figures
from .common import Plan, Say, Section, Table, color, comparison_table, findings_summary, \
    first_seed, fmt, groups, judge, mean, number, percent, values, verdict_sentence


def vanishing_plans(records):
    """ReLU against sigmoid at every depth (the notes' remedy against the problem)."""
    depths = sorted({r["config"]["depth"] for r in records})
    return [Plan("test_accuracy", {"activation": "relu", "depth": d},
                 {"activation": "sigmoid", "depth": d}) for d in depths]


def activations_plans(records):
    """Every activation against linear (no nonlinearity: the baseline) on every data set."""
    settings = list(dict.fromkeys((r["config"]["dataset"], r["config"]["activation"])
                                  for r in records))
    return [Plan("test_accuracy", {"dataset": d, "activation": a},
                 {"dataset": d, "activation": "linear"})
            for d, a in settings if a != "linear" and (d, "linear") in settings]


def vanishing(records, lang):
    say = Say(lang)
    config = records[0]["config"]
    by_setting = groups(records, "activation", "depth")
    section = Section(comparisons=judge(records, "vanishing", vanishing_plans(records)), setup=say(
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
         say("ratio before training", "학습 전 비율"), say("ratio after training", "학습 후 비율"),
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
    section.tables.append(comparison_table(
        section.comparisons, say, lambda s: f"{s['activation']}, {s['depth']}",
        {"test_accuracy": say("test accuracy", "테스트 정확도")}))
    section.conclusion = _vanishing_conclusion(by_setting, deepest, say)
    section.conclusion += [verdict_sentence(
        c, say, say(f"ReLU, {c['arm']['depth']} layers", f"ReLU {c['arm']['depth']}층"),
        say(f"sigmoid, {c['reference']['depth']} layers", f"시그모이드 {c['reference']['depth']}층"),
        (say("test accuracy", "테스트 정확도"),) * 2) for c in section.comparisons]
    section.conclusion.append(_why_relu_level(by_setting, deepest, say))
    return section


def _why_relu_level(by_setting, deepest, say):
    """Why ReLU's product of mean f' falls while its measured ||dL/dW|| stays level."""
    runs = by_setting.get(("relu", deepest))
    chain = first_seed(runs).get("chain") if runs else None
    if not chain:
        return ""
    norms = first_seed(runs)["series"]["gradient_norms"][0]
    product = chain["product_to_output"][0]
    return say(
        f"Why ReLU's product of mean f′ falls to {number(product)} at layer 1 while its "
        f"measured ||dL/dW|| stays level ({number(norms[0])} at layer 1, {number(norms[-2])} at "
        f"layer {len(norms) - 1}): a layer's kernel gradient is its input times the error "
        f"arriving from above, dL/dW_l = a_(l−1)ᵀ δ_l. The mean of f′ is not the gain a layer "
        f"applies to δ: that gain is about sqrt(fan_out · Var(W) · E[f′²]), 1/√2 for ReLU "
        f"with glorot_uniform here, and the forward activations a_(l−1) shrink by the same "
        f"factor going up. Low layers get a smaller δ but a larger input, high layers "
        f"the reverse, so their product, the gradient each layer sees, stays about the same. "
        f"Sigmoid's gain is smaller (f′ ≤ 0.25 and its outputs do not shrink to compensate), "
        f"so its gradients do fall layer by layer.",
        f"ReLU의 평균 f′의 곱은 1층에서 {number(product)}까지 떨어지는데, 측정한 ||dL/dW||는 "
        f"비슷하게 유지된다(1층 {number(norms[0])}, {len(norms) - 1}층 {number(norms[-2])}). 그 "
        f"이유: 한 층의 커널 그래디언트는 그 층의 입력과 위에서 내려온 오차의 곱, dL/dW_l = a_(l−1)ᵀ "
        f"δ_l이다. 평균 f′는 층이 δ에 곱하는 배율이 아니다. 그 배율은 대략 sqrt(fan_out · Var(W) · "
        f"E[f′²])로, 여기서 glorot_uniform을 쓴 ReLU는 1/√2이고, 순전파의 활성화 a_(l−1)도 위로 갈수록 "
        f"같은 비율로 작아진다. 아래층은 δ가 작은 대신 입력이 크고 위층은 그 반대라서, 둘의 곱인 "
        f"그래디언트는 층마다 거의 같다. 시그모이드는 배율이 더 작아서(f′ ≤ 0.25이고 출력이 그만큼 "
        f"줄지 않음) 그래디언트가 층마다 줄어든다.")


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
                            ylabel="||dL/dW||",
                            title=say(f"{activation}, {deepest} layers, seed 0",
                                      f"{activation}, {deepest}층, 시드 0"))
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
            f"{percent(mean(accuracy_r))} (the paired comparison below says whether this is "
            f"beyond seed noise). The gradients agree with the notes: ReLU keeps the gradient "
            f"alive where sigmoid lets it vanish.",
            f"학습 후 테스트 정확도: 시그모이드 {percent(mean(accuracy_s))}, ReLU "
            f"{percent(mean(accuracy_r))}(시드 변동을 넘는지는 아래의 짝지은 비교가 말해 준다). "
            f"그래디언트는 노트와 일치한다: 시그모이드에서는 그래디언트가 사라지지만 ReLU에서는 살아 "
            f"있다."))
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
    digits_config = next((r["config"] for r in records if r["config"]["dataset"] == "digits"),
                         {})
    section = Section(comparisons=judge(records, "activations", activations_plans(records)),
                      setup=say(
        f"2-D sets: {toy_config.get('n_samples')} points, 70/30 split (a fifth of the training "
        f"part held out for validation), {toy_config.get('depth')} hidden layers of "
        f"{toy_config.get('width')} units, Adam, {toy_config.get('epochs')} epochs, each "
        f"activation choosing its own learning rate from {toy_config.get('learning_rate_grid')} "
        f"on the validation points. Digits: {digits_config.get('depth')} hidden layers of "
        f"{digits_config.get('width')}, Adam with a rate from "
        f"{digits_config.get('learning_rate_grid')}, {digits_config.get('epochs')} epochs. Only "
        f"the hidden activation changes. One small net and one budget: a verdict here is about "
        f"this setting, not a ranking of activations in general.",
        f"2차원 데이터: 점 {toy_config.get('n_samples')}개, 70/30 분할(학습 부분의 5분의 1은 검증용), "
        f"은닉층 {toy_config.get('depth')}개(각 {toy_config.get('width')}개), Adam, "
        f"{toy_config.get('epochs')} 에폭, 활성화 함수마다 학습률을 "
        f"{toy_config.get('learning_rate_grid')} 중에서 검증 데이터로 고른다. digits: 은닉층 "
        f"{digits_config.get('depth')}개(각 {digits_config.get('width')}개), 학습률을 "
        f"{digits_config.get('learning_rate_grid')} 중에서 고른 Adam, {digits_config.get('epochs')} "
        f"에폭. 은닉층의 활성화 함수만 바꾼다. 작은 신경망 하나와 한 가지 학습 예산의 결과이므로, "
        f"여기의 판정은 이 설정에 대한 것이지 활성화 함수 일반의 순위가 아니다."))
    _functions_figure(section, names, say)
    if toy:
        fig, axes = figures.figure(len(names), len(toy), width=1.9 * len(names),
                                   height=1.9 * len(toy))
        for row, dataset in enumerate(toy):
            for column, activation in enumerate(names):
                runs = by_setting.get((dataset, activation))
                shown = first_seed(runs) if runs else None
                arrays = shown.get("arrays") if shown else None
                if not arrays:
                    axes[row, column].axis("off")
                    continue
                accuracy = shown["metrics"]["test_accuracy"]
                figures.decision_boundary(axes[row, column], arrays["boundary"],
                                          arrays["extent"], arrays["x_train"],
                                          arrays["y_train"],
                                          say(f"{activation}, seed {shown['seed']}: "
                                              f"{percent(accuracy)}",
                                              f"{activation}, 시드 {shown['seed']}: "
                                              f"{percent(accuracy)}"))
            axes[row, 0].set_ylabel(dataset)
        section.add_figure("activations-boundaries", fig, say(
            "Decision boundaries of seed 0: colour = predicted probability of the red class, "
            "black line = 0.5; each title gives that seed's test accuracy (the table below "
            "has the mean over seeds).",
            "시드 0의 결정 경계: 색 = 빨간 클래스일 확률의 예측값, 검은 선 = 0.5. 제목은 그 시드의 "
            "테스트 정확도(시드 평균은 아래 표)."))
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
        "Mean test accuracy over seeds of every activation on every data set.",
        "데이터별·활성화 함수별 시드 평균 테스트 정확도."))
    section.tables.append(Table(
        say("Test accuracy (mean ± 95% interval over seeds)",
            "테스트 정확도(시드 평균 ± 95% 구간)"),
        [say("data set", "데이터")] + names,
        [[d] + [fmt(values(by_setting.get((d, a), []), "test_accuracy"), percent=True)
                for a in names] for d in datasets]))
    section.tables.append(comparison_table(
        section.comparisons, say, lambda s: f"{s['dataset']}: {s['activation']}",
        {"test_accuracy": say("test accuracy", "테스트 정확도")}))
    section.conclusion = _activations_conclusion(section.comparisons, datasets, say)
    return section


def _functions_figure(section, names, say):
    """Each activation f(z) and its derivative f'(z), from glassnet.activations."""
    from ... import activations as functions
    z = np.linspace(-4, 4, 401)
    fig, axes = figures.figure(len(names), width=1.9 * len(names), height=2.0)
    for column, name in enumerate(names):
        f = np.asarray(functions.get(name)(z), dtype="float64")
        ax = axes[0, column]
        ax.plot(z, f, color=color(0), label="f(z)")
        ax.plot(z, np.gradient(f, z), color=color(1), linestyle="--", label="f′(z)")
        ax.set(title=name, ylim=(-1.5, 2.5), xlabel="z")
    axes[0, 0].legend()
    section.add_figure("activations-functions", fig, say(
        "Each activation f(z) (solid) and its derivative f′(z) (dashed, by central differences "
        "of glassnet's function): sigmoid's f′ is at most 0.25 and below 0.018 for |z| > 4; tanh's "
        "is at most 1; ReLU's is 0 or 1; leaky ReLU and ELU keep a slope for z < 0; linear's is "
        "1 everywhere, so stacked linear layers stay one linear map.",
        "활성화 함수 f(z)(실선)와 도함수 f′(z)(점선, glassnet 함수의 중앙 차분). 시그모이드의 f′는 "
        "최대 0.25이고 |z| > 4에서 0.018 미만, tanh는 최대 1, ReLU는 0 아니면 1, leaky ReLU와 ELU는 z < 0에서도 "
        "도함수가 0이 아니고, 선형은 어디서나 1이라 선형 층을 쌓아도 선형 변환 하나다."))


def _activations_conclusion(comparisons, datasets, say):
    """Per data set: which activations beat linear beyond seed noise, which are undecided,
    which do worse, quoted from the comparison records."""
    paragraphs = []
    for dataset in datasets:
        mine = [c for c in comparisons if c["arm"]["dataset"] == dataset]
        if not mine:
            continue
        better = [c for c in mine if c["verdict"] == "better"]
        worse = [c for c in mine if c["verdict"] == "worse"]
        open_ = [c for c in mine if c["verdict"] == "undecided"]

        def listed(items):
            return ", ".join(f"{c['arm']['activation']} ({100 * c['difference']:+.1f})"
                             for c in items)
        en = [f"{dataset}, against linear (paired difference in points):"]
        ko = [f"{dataset}, 선형과의 비교(짝지은 차이, %p):"]
        if better:
            en.append(f"better beyond seed noise: {listed(better)};")
            ko.append(f"시드 변동을 넘게 좋음: {listed(better)};")
        if worse:
            en.append(f"worse: {listed(worse)};")
            ko.append(f"나쁨: {listed(worse)};")
        if open_:
            most = max((c["seeds_needed"] or 0) for c in open_)
            en.append(f"undecided at {open_[0]['seeds']} seeds: {listed(open_)}"
                      + (f" (up to --seeds {most} would likely decide them)" if most else ""))
            ko.append(f"시드 {open_[0]['seeds']}개로는 판정 보류: {listed(open_)}"
                      + (f"(--seeds {most}까지 늘리면 가려질 가능성이 높다)" if most else ""))
        paragraphs.append(say(" ".join(en).rstrip(";") + ".", " ".join(ko).rstrip(";") + "."))
    linear_matched = [d for d in datasets
                      if all(c["verdict"] != "better" for c in comparisons
                             if c["arm"]["dataset"] == d)]
    if comparisons and linear_matched:
        paragraphs.append(say(
            f"A stack of linear layers is one linear map, so it can only draw a straight "
            f"boundary. Where no activation beats it beyond seed noise "
            f"({', '.join(linear_matched)}), a straight boundary is about as good as this net "
            f"gets; elsewhere the difference is what the nonlinearity buys.",
            f"선형 층을 쌓아도 선형 변환 하나이므로 직선 경계밖에 그릴 수 없다. 어떤 활성화 함수도 "
            f"시드 변동을 넘게 선형을 이기지 못하는 곳({', '.join(linear_matched)})에서는 직선 경계가 "
            f"이 신경망이 낼 수 있는 만큼 좋고, 그 밖의 곳에서는 그 차이가 비선형성의 몫이다."))
    elif comparisons:
        paragraphs.append(say(
            "A stack of linear layers is one linear map, so it can only draw a straight "
            "boundary; on every data set here some activation beats it beyond seed noise, and "
            "that difference is what the nonlinearity buys.",
            "선형 층을 쌓아도 선형 변환 하나이므로 직선 경계밖에 그릴 수 없다. 여기의 모든 데이터에서 "
            "어떤 활성화 함수가 시드 변동을 넘게 선형을 이기며, 그 차이가 비선형성의 몫이다."))
    return paragraphs
