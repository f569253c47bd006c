"""The words of ``glassnet.diagnose``: for each finding (code, variant), English and Korean.

Each message says what is happening (with the evidence's numbers), why in the chapter's
terms, and what to try. Placeholders are the finding's ``layer``, its ``evidence`` and its
``context`` (names of layers and activations).
"""

# Why a run diverges and what to try: the same whether a batch or an epoch showed it.
_DIVERGED = {
    "en": "Why: once a number overflows, NaN spreads through every later computation and the "
          "weights are lost; it usually follows exploding gradients, from initial weights that "
          "are too large or a learning rate that is too high. Try: a smaller learning rate, "
          "smaller initial weights (glorot_uniform or he_normal), gradient clipping "
          "(clipnorm=1.0 on the optimizer), and glassnet.callbacks.TerminateOnNaN() to stop "
          "at once.",
    "ko": "원인: 숫자가 한 번 넘치면 그 뒤의 모든 계산에 NaN이 퍼져 가중치를 잃게 됩니다. 보통 초기 "
          "가중치가 너무 크거나 학습률이 너무 높아 그래디언트가 폭발한 뒤에 일어납니다. 해결: 학습률을 "
          "낮추고, 초기 가중치를 줄이고(glorot_uniform이나 he_normal), 옵티마이저에 그래디언트 "
          "클리핑(clipnorm=1.0)을 설정하고, glassnet.callbacks.TerminateOnNaN()으로 즉시 "
          "멈추게 하세요.",
}

# Why gradients explode and what to try: the same during training and for a model on a batch.
_EXPLODING = {
    "en": "Why: when the weights are too large, every layer multiplies the signal (and, on the "
          "way back, the gradient) by more than 1, so the gradient grows layer after layer; with "
          "a large learning rate each step overshoots and training diverges. Try: smaller "
          "initial weights (glorot_uniform or he_normal instead of a wide RandomNormal), a "
          "smaller learning rate, or gradient clipping (clipnorm=1.0 on the optimizer).",
    "ko": "원인: 가중치가 너무 크면 각 층이 신호를(역전파에서는 그래디언트를) 1보다 큰 배수로 키우므로 "
          "그래디언트가 층을 지날 때마다 커집니다. 학습률까지 크면 한 스텝이 너무 멀리 가서 학습이 "
          "발산합니다. 해결: 초기 가중치를 줄이고(폭이 넓은 RandomNormal 대신 glorot_uniform이나 "
          "he_normal), 학습률을 낮추거나, 옵티마이저에 그래디언트 클리핑(clipnorm=1.0)을 설정해 보세요.",
}

TEMPLATES = {
    ("diverged", ""): {
        "en": "Training diverged: {what_en} became {value} in epoch {epoch_shown}, batch "
              "{batch_shown}. " + _DIVERGED["en"],
        "ko": "학습이 발산했습니다. 에폭 {epoch_shown}의 {batch_shown}번째 배치에서 "
              "{what_ko} 값이 유한하지 않은 수({value})가 되었습니다. " + _DIVERGED["ko"],
    },
    ("diverged", "batch"): {
        "en": "Training diverged: {what_en} is {value} on this batch. " + _DIVERGED["en"],
        "ko": "학습이 발산했습니다. 이 배치에서 {what_ko} 값이 유한하지 않은 수({value})입니다. "
              + _DIVERGED["ko"],
    },
    ("diverged", "epoch"): {
        "en": "Training diverged: the loss of epoch {epoch_shown} is {value}. " + _DIVERGED["en"],
        "ko": "학습이 발산했습니다. 에폭 {epoch_shown}의 손실이 유한하지 않은 수({value})가 "
              "되었습니다. " + _DIVERGED["ko"],
    },
    ("exploding_gradient", ""): {
        "en": "The gradient is exploding: in epoch {epoch_shown}, batch {batch_shown}, layer "
              "'{layer}' got a gradient of norm {grad_norm:.3g}, larger than its weights "
              "({kernel_norm:.3g}), and one update changed its weights by {update_ratio:.3g} "
              "times their own size. " + _EXPLODING["en"],
        "ko": "그래디언트가 폭발하고 있습니다. 에폭 {epoch_shown}의 {batch_shown}번째 배치에서 층 "
              "'{layer}'의 그래디언트 크기({grad_norm:.3g})가 가중치 노름({kernel_norm:.3g})보다 "
              "크고, 한 번의 업데이트로 가중치가 자기 크기의 {update_ratio:.3g}배만큼 "
              "바뀌었습니다. " + _EXPLODING["ko"],
    },
    ("exploding_gradient", "batch"): {
        "en": "The gradient is exploding: on this batch, layer '{layer}' gets a gradient of norm "
              "{grad_norm:.3g}, larger than its weights ({kernel_norm:.3g}), and the "
              "optimizer's next step would change its weights by {update_ratio:.3g} times their "
              "own size. " + _EXPLODING["en"],
        "ko": "그래디언트가 폭발하고 있습니다. 이 배치에서 층 '{layer}'의 그래디언트 "
              "노름({grad_norm:.3g})이 가중치 노름({kernel_norm:.3g})보다 크고, 옵티마이저의 "
              "다음 스텝에서 가중치가 자기 크기의 {update_ratio:.3g}배만큼 바뀌게 "
              "됩니다. " + _EXPLODING["ko"],
    },
    ("vanishing_gradient", "bounded"): {
        "en": "The gradient vanishes on its way back: the first layer '{layer}' gets a gradient "
              "{ratio:.1e} times the size of the output layer's ('{last}'): across its {depth} "
              "layers it shrinks to about {per_layer:.2f}x per layer. Why: backpropagation "
              "multiplies the gradient by every layer's activation derivative, and "
              "{activation}'s derivative is at most {max_derivative:.2g} (and nearly 0 where it "
              "saturates), so little is left after several layers and the first layers hardly "
              "learn. Try: ReLU in the hidden layers with He initialization "
              "(kernel_initializer='he_normal'), or fewer layers.",
        "ko": "역전파되는 동안 그래디언트가 소실되고 있습니다. 첫 번째 층 '{layer}'에 도달하는 그래디언트는 출력층 "
              "'{last}'의 {ratio:.1e}배로, {depth}개 층을 지나며 층마다 약 "
              "{per_layer:.2f}배로 줄어듭니다. 원인: 역전파는 층마다 활성화 함수의 도함수를 곱하는데, "
              "{activation}의 도함수는 최대 {max_derivative:.2g}이고 포화된 곳에서는 거의 "
              "0입니다. 그래서 여러 층을 거치면 그래디언트가 거의 남지 않아 앞쪽 층이 거의 학습하지 못합니다. 해결: "
              "은닉층에 ReLU를 쓰고 He 초기화(kernel_initializer='he_normal')를 함께 "
              "쓰거나, 층 수를 줄여 보세요.",
    },
    ("vanishing_gradient", "other"): {
        "en": "The gradient vanishes on its way back: the first layer '{layer}' gets a gradient "
              "{ratio:.1e} times the size of the output layer's ('{last}'): across its {depth} "
              "layers it shrinks to about {per_layer:.2f}x per layer. Why: backpropagation "
              "multiplies the gradient by every layer's weights and activation derivative; when "
              "that product is below 1 the gradient shrinks geometrically with depth and the "
              "first layers hardly learn. Try: an initialization matched to the activation "
              "(he_normal for ReLU, glorot_uniform for tanh), or fewer layers.",
        "ko": "역전파되는 동안 그래디언트가 소실되고 있습니다. 첫 번째 층 '{layer}'에 도달하는 그래디언트는 출력층 "
              "'{last}'의 {ratio:.1e}배로, {depth}개 층을 지나며 층마다 약 "
              "{per_layer:.2f}배로 줄어듭니다. 원인: 역전파는 층마다 가중치와 활성화 함수의 도함수를 "
              "곱하는데, 그 곱이 1보다 작으면 그래디언트가 깊이에 따라 기하급수적으로 줄어 앞쪽 층이 거의 학습하지 "
              "못합니다. 해결: 활성화 함수에 맞는 초기화(ReLU에는 he_normal, tanh에는 "
              "glorot_uniform)를 쓰거나 층 수를 줄여 보세요.",
    },
    ("saturation", ""): {
        "en": "Units are saturated: {share:.0%} of the outputs of layer '{layer}' "
              "({activation}) sit within 5% of its limits{others_en}. Why: where {activation} "
              "is flat its derivative is nearly 0, so almost no gradient passes through these "
              "units and they stop learning; weights that are too large, or inputs that are not "
              "scaled, push the weighted sums there. Try: scale the inputs (to [0, 1], or "
              "standardize them), initialize with glorot_uniform so the sums stay small, or use "
              "ReLU.",
        "ko": "노드가 포화되었습니다. 층 '{layer}'({activation}) 출력의 {share:.0%}가 출력 "
              "범위의 양 끝 5% 안에 있습니다.{others_ko} 원인: {activation} 함수가 평평한 "
              "구간에서는 도함수가 거의 0이라 이 노드들로는 그래디언트가 거의 흐르지 않고 학습이 멈춥니다. 가중치가 너무 "
              "크거나 입력의 크기를 조정하지 않으면 가중합이 그 구간으로 밀려납니다. 해결: 입력을 [0, 1] 범위로 "
              "조정하거나 표준화하고, glorot_uniform으로 초기화해 가중합을 작게 유지하거나, ReLU를 써 "
              "보세요.",
    },
    ("dead_units", "epoch"): {
        "en": "{share:.0%} of the units of layer '{layer}' ({activation}) are dead: they output "
              "0 for every sample of epoch {epoch_shown}{others_en}. Why: a ReLU unit whose "
              "weighted sum is negative for every input outputs 0 and has derivative 0, so no "
              "gradient reaches its weights and it never recovers; a large negative bias, an "
              "oversized update or a bad initialization puts units there. Try: a smaller "
              "learning rate, He initialization (he_normal) with zero biases, or leaky_relu or "
              "elu, whose derivative is never 0.",
        "ko": "층 '{layer}'({activation}) 노드의 {share:.0%}가 죽었습니다. 에폭 "
              "{epoch_shown}의 모든 샘플에 대해 0만 출력합니다.{others_ko} 원인: 모든 입력에서 "
              "가중합이 음수인 ReLU 노드는 0을 출력하고 도함수도 0이라, 가중치에 그래디언트가 전혀 닿지 않아 다시 "
              "살아나지 못합니다. 큰 음수 편향, 지나치게 큰 업데이트, 잘못된 초기화가 노드를 그렇게 만듭니다. "
              "해결: 학습률을 낮추고, 편향을 0으로 두고 He 초기화(he_normal)를 쓰거나, 도함수가 0이 "
              "되지 않는 leaky_relu나 elu를 써 보세요.",
    },
    ("dead_units", "batch"): {
        "en": "{share:.0%} of the units of layer '{layer}' ({activation}) are dead: they output "
              "0 for every sample of this batch{others_en}. Why: a ReLU unit whose weighted sum "
              "is negative for every input outputs 0 and has derivative 0, so no gradient "
              "reaches its weights and it never recovers; a large negative bias, an oversized "
              "update or a bad initialization puts units there. Try: a smaller learning rate, "
              "He initialization (he_normal) with zero biases, or leaky_relu or elu, whose "
              "derivative is never 0.",
        "ko": "층 '{layer}'({activation}) 노드의 {share:.0%}가 죽었습니다. 이 배치의 모든 "
              "샘플에 대해 0만 출력합니다.{others_ko} 원인: 모든 입력에서 가중합이 음수인 ReLU 노드는 "
              "0을 출력하고 도함수도 0이라, 가중치에 그래디언트가 전혀 닿지 않아 다시 살아나지 못합니다. 큰 음수 "
              "편향, 지나치게 큰 업데이트, 잘못된 초기화가 노드를 그렇게 만듭니다. 해결: 학습률을 낮추고, 편향을 "
              "0으로 두고 He 초기화(he_normal)를 쓰거나, 도함수가 0이 되지 않는 leaky_relu나 "
              "elu를 써 보세요.",
    },
    ("symmetric_units", ""): {
        "en": "Layer '{layer}' has {groups} group(s) of identical units ({units} of its {total} "
              "units){others_en}: their incoming weights are equal, so they compute the same "
              "output. Why: units that start with equal weights receive equal gradients and "
              "stay equal forever; backpropagation cannot break this symmetry, and the layer "
              "works like {distinct} unit(s). Try: random initialization (glorot_uniform, or "
              "he_normal for ReLU) instead of a constant or zeros.",
        "ko": "층 '{layer}'의 노드 {total}개 중 {units}개가 똑같은 노드끼리 {groups}개의 "
              "묶음을 이룹니다.{others_ko} 이 노드들은 들어오는 가중치가 같아서 같은 값을 출력합니다. 원인: "
              "같은 가중치로 시작한 노드는 같은 그래디언트를 받아 영원히 같은 상태로 남습니다. 역전파로는 이 대칭을 깰 "
              "수 없어서 층이 노드 {distinct}개처럼 동작합니다. 해결: 상수나 0 대신 무작위 "
              "초기화(glorot_uniform, ReLU라면 he_normal)를 쓰세요.",
    },
    ("no_learning_signal", "zero_weights"): {
        "en": "No learning signal: the kernel gradients of {names} are exactly 0, so these "
              "weights never change. Why: with all weights 0 every hidden unit outputs the same "
              "value (0 for ReLU and tanh), and the gradient sent back is multiplied by zero "
              "weights; nothing reaches the kernels. Try: random initialization "
              "(glorot_uniform, or he_normal for ReLU).",
        "ko": "학습 신호가 없습니다. {names} 층의 커널 그래디언트가 정확히 0이어서 가중치가 전혀 바뀌지 않습니다. "
              "원인: 가중치가 모두 0이면 모든 은닉 노드가 같은 값(ReLU와 tanh에서는 0)을 출력하고, 거꾸로 "
              "전해지는 그래디언트도 0인 가중치와 곱해져 커널에 아무것도 닿지 않습니다. 해결: 무작위 "
              "초기화(glorot_uniform, ReLU라면 he_normal)를 쓰세요.",
    },
    ("no_learning_signal", "dead_layer"): {
        "en": "No learning signal: the kernel gradients of {names} are exactly 0, so these "
              "weights never change. Why: every unit of layer '{dead}' outputs 0. A ReLU that "
              "outputs 0 has derivative 0, so no gradient passes back through it, to its own "
              "weights or to the layers before it; and the layer after it gets an input of all "
              "zeros, so its kernel gradient (input times error) is 0 as well. Try: zero "
              "biases with He initialization (he_normal), a smaller learning rate, or leaky_relu, "
              "whose derivative is never 0.",
        "ko": "학습 신호가 없습니다. {names} 층의 커널 그래디언트가 정확히 0이어서 가중치가 전혀 바뀌지 않습니다. "
              "원인: 층 '{dead}'의 모든 노드가 0을 출력합니다. 0을 출력하는 ReLU는 도함수도 0이라 "
              "그래디언트가 그 층을 거슬러 지나가지 못해 그 층의 가중치와 앞쪽 층에 아무것도 닿지 않습니다. "
              "바로 뒤 층은 입력이 모두 0이라 커널 그래디언트(입력 × 오차)도 0이 됩니다. 해결: 편향을 0으로 두고 He "
              "초기화(he_normal)를 쓰거나, 학습률을 낮추거나, 도함수가 0이 되지 않는 leaky_relu를 "
              "써 보세요.",
    },
    ("no_learning_signal", "generic"): {
        "en": "No learning signal: the kernel gradients of {names} are exactly 0, so these "
              "weights never change. Why: the gradient is cut somewhere between the loss and "
              "these layers: units that output a constant with derivative 0 (dead ReLUs), "
              "all-zero weights after them, or frozen outputs. Try: random initialization with "
              "zero biases, and check the other findings for dead or saturated units.",
        "ko": "학습 신호가 없습니다. {names} 층의 커널 그래디언트가 정확히 0이어서 가중치가 전혀 바뀌지 않습니다. "
              "원인: 손실과 이 층들 사이 어딘가에서 그래디언트가 끊겼습니다. 도함수가 0인 채로 상수를 출력하는 "
              "노드(죽은 ReLU), 그 뒤의 모두 0인 가중치, 또는 고정된 출력이 원인일 수 있습니다. 해결: 편향을 0으로 두고 "
              "무작위로 초기화하고, 죽은 노드나 포화된 노드에 대한 다른 진단을 확인하세요.",
    },
    ("stalled", "history"): {
        "en": "Training has stalled: over the last {window} recorded steps the largest update "
              "moved a layer's weights by only {update_ratio:.1e} of their size (healthy "
              "training moves about 1e-3), and the loss went from {loss_start:.4g} to "
              "{loss_now:.4g}. The first-to-last layer gradient ratio ({grad_ratio:.2g}) can "
              "look normal: every layer's gradient is tiny at once. Why: each layer shrinks the "
              "signal a little (ReLU with Glorot/Xavier-scale weights halves its variance per "
              "layer), so in a deep network activations and gradients are tiny everywhere and "
              "each step is negligible. Try: He initialization (he_normal) for ReLU networks, a "
              "larger learning rate, Adam (it rescales small gradients), or fewer layers.",
        "ko": "학습이 정체되었습니다. 최근 기록된 {window}개 스텝 동안 가장 큰 업데이트도 층의 가중치를 자기 "
              "크기의 {update_ratio:.1e}배밖에 바꾸지 못했고(정상적인 학습은 1e-3 정도), 손실도(처음 "
              "{loss_start:.4g}, 지금 {loss_now:.4g}) 거의 줄지 않았습니다. 첫 층과 "
              "마지막 층의 그래디언트 비율({grad_ratio:.2g})은 정상으로 보일 수 있지만, 모든 층의 그래디언트가 "
              "한꺼번에 아주 작습니다. 원인: 층마다 신호가 조금씩 줄어들면(ReLU에 Glorot/Xavier 크기의 "
              "가중치를 쓰면 층마다 분산이 절반이 됩니다) 깊은 신경망에서는 모든 층의 활성화와 그래디언트가 작아져 한 "
              "스텝의 변화가 무시할 만큼 작습니다. 해결: ReLU 신경망에는 He 초기화(he_normal)를 쓰고, "
              "학습률을 키우거나, 작은 그래디언트를 키워 주는 Adam을 쓰거나, 층 수를 줄여 보세요.",
    },
    ("stalled", "layers"): {
        "en": "Training has stalled: for {records} recorded steps the loss stayed within 5% of "
              "its start ({loss_start:.4g}, now {loss_now:.4g}), and the updates of {names} "
              "moved their weights by less than 1e-4 of their size per step (healthy training "
              "moves about 1e-3), while {moving} still moved (up to {largest_update:.1e}). A net "
              "like this predicts about as well as chance: the layers that should learn the "
              "features hardly change. Why: the gradient reaching them is tiny, for example "
              "MSE's gradient on a softmax output passes through the softmax's derivative, "
              "which is near 0 when the net is confidently wrong, and sigmoid layers shrink it "
              "again on the way back. Try: cross-entropy with a softmax output, ReLU hidden "
              "layers with He initialization, or a larger learning rate.",
        "ko": "학습이 정체되었습니다. 기록된 {records}개 스텝 동안 손실이 처음의 5% 안에 머물렀고(처음 "
              "{loss_start:.4g}, 지금 {loss_now:.4g}), {names} 층의 업데이트는 스텝마다 가중치를 자기 "
              "크기의 1e-4배도(정상적인 학습은 1e-3 정도) 바꾸지 못했습니다. {moving} 층만 최대 "
              "{largest_update:.1e}배씩 움직였습니다. 이런 신경망은 우연과 비슷한 수준으로 예측합니다: 특징을 배워야 할 "
              "층이 거의 바뀌지 않기 때문입니다. 원인: 그 층들에 도달하는 그래디언트가 아주 작습니다. 예를 들어 "
              "소프트맥스 출력에 MSE를 쓰면 그래디언트가 소프트맥스의 도함수를 거치는데, 신경망이 확신을 가지고 "
              "틀릴 때 그 값은 0에 가깝고, 시그모이드 층을 거슬러 가며 다시 작아집니다. 해결: 소프트맥스 출력에 "
              "교차 엔트로피를 쓰거나, 은닉층에 ReLU와 He 초기화를 쓰거나, 학습률을 키워 보세요.",
    },
    ("stalled", "batch"): {
        "en": "Training would stall: the optimizer's next step would move a layer's weights by "
              "at most {update_ratio:.1e} of their size (healthy training moves about 1e-3), "
              "while the loss ({loss_now:.4g}) is no better than a constant guess "
              "({baseline:.4g}). The first-to-last layer gradient ratio ({grad_ratio:.2g}) can "
              "look normal: every layer's gradient is tiny at once. Why: each layer shrinks the "
              "signal a little (ReLU with Glorot/Xavier-scale weights halves its variance per "
              "layer), so in a deep network activations and gradients are tiny everywhere. Try: "
              "He initialization (he_normal) for ReLU networks, a larger learning rate, Adam "
              "(it rescales small gradients), or fewer layers.",
        "ko": "이대로는 학습이 정체됩니다. 옵티마이저의 다음 스텝은 층의 가중치를 자기 크기의 최대 "
              "{update_ratio:.1e}배만 바꾸는데(정상적인 학습은 1e-3 정도), "
              "손실({loss_now:.4g})은 늘 같은 값만 예측하는 모델의 손실({baseline:.4g})보다 "
              "나을 게 없습니다. 첫 층과 마지막 층의 그래디언트 비율({grad_ratio:.2g})은 정상으로 보일 수 있지만, "
              "모든 층의 그래디언트가 한꺼번에 아주 작습니다. 원인: 층마다 신호가 조금씩 줄어들면(ReLU에 "
              "Glorot/Xavier 크기의 가중치를 쓰면 층마다 분산이 절반이 됩니다) 깊은 신경망에서는 모든 층의 "
              "활성화와 그래디언트가 작아집니다. 해결: ReLU 신경망에는 He 초기화(he_normal)를 쓰고, "
              "학습률을 키우거나, 작은 그래디언트를 키워 주는 Adam을 쓰거나, 층 수를 줄여 보세요.",
    },
    ("initial_loss", ""): {
        "en": "The first loss is {loss:.4g}, far above ln {classes} = {expected:.3g}, the loss "
              "of a network that starts out giving each of {classes} balanced classes "
              "probability 1/{classes}. Why: the outputs start confident and wrong: initial "
              "weights too large, inputs not scaled (e.g. raw pixels 0..16), or a biased output "
              "layer. Try: scale the inputs, use glorot_uniform or he_normal, and keep the "
              "output bias at zero.",
        "ko": "첫 손실({loss:.4g})이 ln {classes} = {expected:.3g}보다 훨씬 큽니다. "
              "균형 잡힌 {classes}개 클래스에 각각 1/{classes}의 확률을 주며 출발하는 신경망의 첫 "
              "손실은 ln {classes} 근처입니다. 원인: 출력이 처음부터 확신에 차서 틀린 답을 내고 있습니다. 초기 "
              "가중치가 너무 크거나, 입력의 크기를 조정하지 않았거나(예: 0~16의 원시 픽셀), 출력층의 편향이 "
              "한쪽으로 치우쳐 있습니다. 해결: 입력의 크기를 조정하고, glorot_uniform이나 he_normal을 "
              "쓰고, 출력층의 편향은 0으로 두세요.",
    },
    ("output_loss_mismatch", "single_softmax"): {
        "en": "The output layer '{layer}' applies softmax to a single unit, which always "
              "outputs 1.0, so the loss never changes. Why: softmax divides each output by the "
              "sum over the units; with one unit that is always 1. Try: activation='sigmoid' "
              "with loss='binary_crossentropy' for one yes/no output, or one unit per class "
              "with softmax.",
        "ko": "출력층('{layer}')이 노드 하나에 소프트맥스를 적용하고 있어 출력이 항상 1.0이므로 손실이 전혀 "
              "변하지 않습니다. 원인: 소프트맥스는 각 출력을 모든 노드의 합으로 나누는데, 노드가 하나면 결과는 "
              "언제나 1입니다. 해결: 예/아니오 출력 하나라면 activation='sigmoid'와 "
              "loss='binary_crossentropy'를 쓰고, 아니면 클래스마다 노드 하나씩 두고 소프트맥스를 "
              "쓰세요.",
    },
    ("output_loss_mismatch", "softmax_binary"): {
        "en": "The output layer '{layer}' uses softmax over {units} units, but the loss is "
              "binary cross-entropy, which scores every unit as its own yes/no question. Why: "
              "softmax makes the units compete (they sum to 1) while binary cross-entropy "
              "treats them as independent, so the loss is not the one softmax was made for and "
              "the accuracy it reports is misleading. Try: loss='categorical_crossentropy' "
              "(one-hot labels) or 'sparse_categorical_crossentropy' (integer labels) with "
              "softmax; keep binary_crossentropy for sigmoid outputs.",
        "ko": "출력층('{layer}')은 노드 {units}개에 소프트맥스를 쓰는데, 손실은 각 노드를 따로따로 "
              "예/아니오 문제로 채점하는 이진 교차 엔트로피입니다. 원인: 소프트맥스는 노드끼리 경쟁하게(합이 1이 "
              "되게) 만들지만 이진 교차 엔트로피는 노드들을 서로 독립으로 다루므로, 소프트맥스에 맞는 손실이 아니고 "
              "보고되는 정확도도 믿을 수 없습니다. 해결: 소프트맥스에는 "
              "loss='categorical_crossentropy'(원-핫 레이블)나 "
              "'sparse_categorical_crossentropy'(정수 레이블)를 쓰고, "
              "binary_crossentropy는 시그모이드 출력에 쓰세요.",
    },
    ("output_loss_mismatch", "logits_on_probabilities"): {
        "en": "The loss has from_logits=True, but the output layer '{layer}' already applies "
              "{activation}, so the loss applies it a second time, to probabilities. Why: "
              "{activation} of numbers between 0 and 1 squeezes them into a narrow range, so "
              "the predictions stay unsure and the gradients are small. Try: remove the "
              "activation from the last layer (activation=None) and keep from_logits=True, or "
              "keep the activation and use from_logits=False.",
        "ko": "손실에 from_logits=True가 설정되어 있지만 출력층('{layer}')이 이미 "
              "{activation} 함수를 적용하므로, 손실이 확률에 그 함수를 한 번 더 적용합니다. 원인: 0과 "
              "1 사이의 수에 {activation} 함수를 다시 적용하면 값이 좁은 범위로 눌려서 예측이 늘 애매하고 "
              "그래디언트도 작아집니다. 해결: 마지막 층의 활성화 함수를 없애고(activation=None) "
              "from_logits=True를 유지하거나, 활성화 함수를 두고 from_logits=False를 "
              "쓰세요.",
    },
    ("output_loss_mismatch", "probability_loss_on_logits"): {
        "en": "The loss {loss_name} expects probabilities (from_logits=False), but the output "
              "layer '{layer}' has activation '{activation}', whose outputs are not "
              "probabilities. Why: cross-entropy clips its input to [1e-7, 1 - 1e-7], so "
              "outputs outside that range get no gradient at all, and the value is not the "
              "cross-entropy of a distribution. Try: activation='softmax' on the last layer (or "
              "'sigmoid' for binary cross-entropy), or pass from_logits=True to the loss.",
        "ko": "손실 함수({loss_name})는 확률을 기대하는데(from_logits=False) "
              "출력층('{layer}')의 활성화 함수('{activation}')는 확률을 내놓지 않습니다. 원인: "
              "교차 엔트로피는 입력을 [1e-7, 1 - 1e-7]로 잘라내므로 그 범위를 벗어난 출력에는 그래디언트가 "
              "전혀 흐르지 않고, 값도 확률 분포의 교차 엔트로피가 아닙니다. 해결: 마지막 층에 "
              "activation='softmax'(이진 교차 엔트로피라면 'sigmoid')를 쓰거나, 손실에 "
              "from_logits=True를 주세요.",
    },
}


# The start of the message of a finding whose condition ended (its severity is then 'info').
RESOLVED = {
    "en": "Resolved: this held from step {start_step_shown} to step {end_step_shown}, then "
          "ended. What it was: ",
    "ko": "해결됨: 스텝 {start_step_shown}부터 스텝 {end_step_shown}까지 이어지다 끝났습니다. "
          "당시 상황: ",
}
