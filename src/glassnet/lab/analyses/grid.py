"""``glassnet compare``: the user's own grid, compared setting by setting."""
from .. import figures
from .common import Say, Section, Table, color, curves, findings_summary, fmt, mean, percent, \
    separation, values


def label(config, varying):
    """The settings that differ between configs, e.g. 'init=he_normal, activation=tanh'."""
    from ..experiments import init_label
    parts = [f"{k}={init_label(config[k]) if k == 'init' else config[k]}" for k in varying]
    return ", ".join(parts) or "default"


def compare(records, lang):
    say = Say(lang)
    configs = []
    for record in records:
        if record["config"] not in configs:
            configs.append(record["config"])
    varying = [k for k in configs[0] if len({str(c.get(k)) for c in configs}) > 1]
    fixed = {k: v for k, v in configs[0].items() if k not in varying}
    runs_of = {label(c, varying): [r for r in records if r["config"] == c] for c in configs}
    section = Section(setup=say("Fixed settings: ", "고정 설정: ") + ", ".join(
        f"{k}={v}" for k, v in fixed.items()))
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
    ranking = sorted(runs_of, key=lambda n: -mean(values(runs_of[n], "test_accuracy")))
    best = ranking[0]
    text_en = f"Best mean test accuracy: {best} ({percent(mean(values(runs_of[best], 'test_accuracy'))) })."
    text_ko = f"평균 테스트 정확도 1위: {best}({percent(mean(values(runs_of[best], 'test_accuracy')))})."
    if len(ranking) > 1:
        second = ranking[1]
        a, b = values(runs_of[best], "test_accuracy"), values(runs_of[second], "test_accuracy")
        text_en += f" Runner-up: {second} ({percent(mean(b))}); {separation(say, a, b)}."
        text_ko += f" 2위: {second}({percent(mean(b))}); {separation(say, a, b)}."
    section.conclusion.append(say(text_en, text_ko))
    return section
