"""``glassnet compare``: the user's own grid, compared setting by setting."""
from .. import figures
from .common import Plan, Say, Section, Table, color, comparison_table, curves, \
    findings_summary, fmt, judge, mean, percent, values, verdict_sentence


def label(config, varying):
    """The settings that differ between configs, e.g. 'init=he_normal, activation=tanh'."""
    from ..experiments import init_label
    parts = [f"{k}={init_label(config[k]) if k == 'init' else config[k]}" for k in varying]
    return ", ".join(parts) or "default"


def _configs(records):
    configs = []
    for record in records:
        if record["config"] not in configs:
            configs.append(record["config"])
    return configs


def _varying(configs):
    return [k for k in configs[0] if len({str(c.get(k)) for c in configs}) > 1]


def compare_plans(records):
    """Every setting of the grid against the first one (the first value of each option)."""
    configs = _configs(records)
    varying = _varying(configs)
    subsets = [{k: c.get(k) for k in varying} for c in configs]
    return [Plan("test_accuracy", subset, subsets[0]) for subset in subsets[1:]]


def effective(records, key, value, say):
    """A setting as it ran: the learning rate the optimizer used when the config left it None."""
    if key == "learning_rate" and value is None:
        rates = {r["metrics"].get("learning_rate") for r in records}
        rates.discard(None)
        return ", ".join(f"{r:g}" for r in sorted(rates)) \
            + say(" (the optimizer's default)", " (옵티마이저의 기본값)") if rates else value
    return value


def compare(records, lang):
    say = Say(lang)
    configs = _configs(records)
    varying = _varying(configs)
    fixed = {k: effective(records, k, v, say) for k, v in configs[0].items()
             if k not in varying}
    runs_of = {label(c, varying): [r for r in records if r["config"] == c] for c in configs}
    section = Section(comparisons=judge(records, "compare", compare_plans(records)), setup=say(
        "Fixed settings, as they ran: ", "고정 설정(실제 실행된 값): ") + ", ".join(
        f"{k}={v}" for k, v in fixed.items()) + say(
        ". These are glassnet compare's defaults (Adam at its own rate, 20 epochs), not the "
        "lab's per-experiment settings, so a result here can differ from the lab's for the "
        "same question.",
        ". glassnet compare의 기본값(Adam 자체 학습률, 20 에폭)이며 실험실(lab)의 실험별 설정과 "
        "다르므로, 같은 질문이라도 lab의 결과와 다를 수 있다."))
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
         say("diverged (seeds)", "발산(시드 수)"), say("diagnose (seeds)", "diagnose 진단(시드 수)")],
        [[name, fmt(values(runs, "test_accuracy"), percent=True), fmt(values(runs, "test_loss")),
          f"{sum(v or 0 for v in values(runs, 'diverged'))}/{len(runs)}",
          findings_summary(runs, say)] for name, runs in runs_of.items()]))
    def name(subset):
        return ", ".join(f"{k}={v}" for k, v in subset.items()) or "default"
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
