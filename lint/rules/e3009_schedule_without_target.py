from lint.rule import Rule
from lint.view import DesignView, node_path


class ScheduleWithoutTarget(Rule):
    id = "E3009"
    name = "schedule-without-target"
    description = "An EventBridge Scheduler schedule with no target"
    source = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule.html"

    def check(self, design):
        view = DesignView(design)
        return [self.finding(
            node_path(node.id),
            f"{node.title} has no target: a schedule must invoke something, so Scheduler refuses to create it. "
            "Connect it to the function, queue or workflow it should start.")
            for node in view.of_type("schedule") if not view.out(node.id, "schedule_target")]
