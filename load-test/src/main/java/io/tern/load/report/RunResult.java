package io.tern.load.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole run: the scenario, the target and its steps, plus a summary of scenario figures (the
 * best step, calls carried...).
 */
public record RunResult(
        String scenario, String server, String transport, List<StepResult> steps, Map<String, Object> summary) {
    public RunResult {
        steps = List.copyOf(steps);
        summary = new LinkedHashMap<>(summary);
    }

    public long totalSent() {
        return steps.stream().mapToLong(StepResult::sent).sum();
    }

    public long totalReceived() {
        return steps.stream().mapToLong(StepResult::received).sum();
    }

    public long totalLost() {
        return steps.stream().mapToLong(StepResult::lost).sum();
    }

    public long totalErrors() {
        return steps.stream().mapToLong(StepResult::errors).sum();
    }
}
