"""``glassnet compare``: the user's own grid, compared setting by setting."""
from .. import figures
from ..comparisons import matches
from .common import Plan, Say, Section, Table, color, comparison_table, curves, \
    findings_summary, fmt, judge, mean, percent, values, verdict_sentence


def label(config, keys):
    """The settings that differ between configs, e.g. 'init=he_normal, activation=tanh'."""
    from ..experiments import init_label
    parts = [f"{k}={init_label(config[k]) if k == 'init' else config[k]}" for k in keys]
    return ", ".join(parts) or "default"


def settings(records):
    """The distinct configs of ``records``, in the order they first appear."""
    configs = []
    for record in records:
        if record["config"] not in configs:
            configs.append(record["config"])
    return configs


def varying(configs):
    # learning_rate_grid follows from optimizer, dataset and learning_rate=auto: not a setting.
    return [k for k in configs[0] if k != "learning_rate_grid"
            and len({str(c.get(k)) for c in configs}) > 1]


def compare_plans(records):
    """Every setting of the grid against the first one (the first value of each option)."""
    configs = settings(records)
    varies = varying(configs)
    subsets = [{k: c.get(k) for k in varies} for c in configs]
    return [Plan("test_accuracy", subset, subsets[0]) for subset in subsets[1:]]


def effective(records, key, value, say):
    """A setting as it ran: the learning rate the optimizer used when the config left it None."""
    if key == "learning_rate" and value == "auto":
        grids = {c["optimizer"]: c["learning_rate_grid"] for c in settings(records)
                 if c.get("learning_rate_grid")}
        return "auto " + say("(each arm's own rate, chosen on the validation split from ",
                             "(각 설정이 검증 데이터로 고른 자기 학습률, 후보 ") + "; ".join(
            f"{name} {' '.join(f'{r:g}' for r in rates)}" for name, rates in grids.items()) \
            + say(")", ")")
    if key == "learning_rate" and value is None:
        rates = {r["metrics"].get("learning_rate") for r in records}
        rates.discard(None)
        return ", ".join(f"{r:g}" for r in sorted(rates)) \
            + say(" (the optimizer's default)", " (옵티마이저의 기본값)") if rates else value
    return value


def rates_used(runs, say):
    """The learning rate(s) a setting's trials ran at: '0.003', or '0.001 (1 seed), 0.003 (2
    seeds)' where the rate chosen on the validation split differs between seeds; 'chosen'
    or 'default' says where it came from."""
    text = _rate_text(runs, say)
    given = runs[0]["config"].get("learning_rate") if runs else None
    if given == "auto":
        return say("chosen: ", "선택: ") + text
    return text + say(" (default)", " (기본값)") if given is None and text else text


def _rate_text(runs, say):
    import collections
    counts = collections.Counter(r["metrics"].get("learning_rate") for r in runs)
    counts.pop(None, None)
    return ", ".join(f"{rate:g}" if len(counts) == 1 else
                     f"{rate:g} ({n} " + say("seed" if n == 1 else "seeds", "시드") + ")"
                     for rate, n in sorted(counts.items()))


def compare(records, lang):
    say = Say(lang)
    configs = settings(records)
    varies = varying(configs)
    fixed = {k: effective(records, k, v, say) for k, v in configs[0].items()
             if k not in varies and k != "learning_rate_grid"}
    runs_of = {label(c, varies): [r for r in records if r["config"] == c] for c in configs}
    section = Section(comparisons=judge(records, "compare", compare_plans(records)), setup=say(
        "Fixed settings, as they ran: ", "고정 설정(실제 실행된 값): ") + ", ".join(
        f"{k}={v}" for k, v in fixed.items()) + say(
        ". Where not given these are glassnet compare's defaults (Adam at its default rate, "
        "20 epochs), not the lab's per-experiment settings, so a result here can differ from "
        "the lab's for the same question.",
        ". 지정하지 않은 값은 glassnet compare의 기본값(Adam 기본 학습률, 20 에폭)이며 실험실(lab)의 "
        "실험별 설정과 다르므로, 같은 질문이라도 lab의 결과와 다를 수 있다.") + _rate_note(
        configs, varies, say))
    fig, axes = figures.figure(2)
    for index, (name, runs) in enumerate(runs_of.items()):
        figures.band(axes[0, 0], curves(runs, "loss"), name, color(index), log=True)
        figures.band(axes[0, 1], curves(runs, "test_accuracy"), name, color(index), upper=1)
    axes[0, 0].set(xlabel=say("epoch", "에폭"), ylabel=say("training loss", "학습 손실"), yscale="log")
    axes[0, 1].set(xlabel=say("epoch", "에폭"), ylabel=say("test accuracy", "테스트 정확도"))
    axes[0, 1].legend()
    section.add_figure("compare-curves", fig, say(
        "Training loss and test accuracy per epoch (mean, 95% band over seeds).",
        "에폭별 학습 손실과 테스트 정확도(시드 평균, 95% 구간)."))
    section.tables.append(Table(
        say("Final numbers (mean ± 95% interval over seeds)", "최종 수치(시드 평균 ± 95% 구간)"),
        [say("setting", "설정"), say("test accuracy", "테스트 정확도"), say("test loss", "테스트 손실"),
         say("learning rate", "학습률"),
         say("diverged (seeds)", "발산(시드 수)"), say("diagnose (seeds)", "diagnose 진단(시드 수)")],
        [[name, fmt(values(runs, "test_accuracy"), percent=True), fmt(values(runs, "test_loss")),
          rates_used(runs, say),
          f"{sum(v or 0 for v in values(runs, 'diverged'))}/{len(runs)}",
          findings_summary(runs, say)] for name, runs in runs_of.items()]))
    def name(subset):
        text = ", ".join(f"{k}={v}" for k, v in subset.items()) or "default"
        runs = [r for r in records if matches(r["config"], subset)]
        if runs and all(r["config"].get("learning_rate") == "auto" for r in runs):
            text += say(" (own rate ", " (자기 학습률 ") + _rate_text(runs, say) + ")"
        return text
    section.tables.append(comparison_table(section.comparisons, say, name,
                                           {"test_accuracy": say("test accuracy", "테스트 정확도")}))
    for record in section.comparisons:
        section.conclusion.append(verdict_sentence(
            record, say, name(record["arm"]), name(record["reference"]),
            (say("test accuracy", "테스트 정확도"),) * 2))
    if not section.comparisons:
        only = next(iter(runs_of))
        section.conclusion.append(say(
            f"One setting ({only}): mean test accuracy "
            f"{percent(mean(values(runs_of[only], 'test_accuracy')))}.",
            f"설정 하나({only}): 평균 테스트 정확도 "
            f"{percent(mean(values(runs_of[only], 'test_accuracy')))}."))
    return section


RATE_SENSITIVE = ("activation", "init", "loss", "optimizer", "depth", "width", "dataset")


def _rate_note(configs, varies, say):
    """Where arms that may need different rates shared one: how to give each its own."""
    if any(c.get("learning_rate") == "auto" for c in configs) \
            or not set(varies) & set(RATE_SENSITIVE):
        return ""
    return say(" The arms ran at shared rates (the optimizer's default, or the rates given), "
               "not each at its own; the settings compared here can need different rates, so "
               "a gap may be the rate's: --learning-rate auto gives each arm its own, chosen "
               "on the validation split.",
               " 각 설정이 자기 학습률이 아니라 공통 학습률(옵티마이저의 기본값 또는 지정한 값)로 "
               "실행되었다. 여기서 비교한 설정들은 알맞은 "
               "학습률이 다를 수 있어 차이가 학습률 때문일 수 있다. --learning-rate auto를 주면 각 "
               "설정이 검증 데이터로 자기 학습률을 고른다.")


def chosen_rates(records, say):
    """'activation=relu: 0.003' per setting whose rate was chosen (auto), in order."""
    configs = settings(records)
    varies = varying(configs)
    return [f"{label(c, varies)}: " + _rate_text(
                [r for r in records if r["config"] == c], say)
            for c in configs if c.get("learning_rate") == "auto"]
