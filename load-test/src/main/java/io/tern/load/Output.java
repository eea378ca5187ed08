package io.tern.load;

import io.tern.load.report.Json;
import io.tern.load.report.RunResult;
import io.tern.load.report.SvgChart;
import io.tern.load.report.Table;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** Prints a finished run as the table or JSON, and writes the chart when asked. */
public final class Output {
    private Output() {}

    public static void emit(RunResult result, TargetOptions options, PrintWriter out) {
        if (options.json()) {
            out.println(Json.of(result));
        } else {
            Table.print(result, out);
        }
        out.flush();
        if (options.svg() != null) {
            try {
                Files.writeString(options.svg(), SvgChart.of(result), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write --svg " + options.svg(), e);
            }
        }
    }
}
