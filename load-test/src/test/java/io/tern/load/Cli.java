package io.tern.load;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@link LoadMain} in-process and reads what it printed. */
record Cli(int exitCode, String out, String err) {
    static Cli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LoadMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Cli(code, out.toString(), err.toString());
    }

    /** The first number the JSON output holds for {@code key} (the run totals come before the steps). */
    double number(String key) {
        Matcher m =
                Pattern.compile("\"" + Pattern.quote(key) + "\":(-?[0-9.]+)").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no numeric \"" + key + "\" in the output:\n" + out + "\nstderr:\n" + err);
        }
        return Double.parseDouble(m.group(1));
    }

    long count(String key) {
        return (long) number(key);
    }

    /** How many steps the JSON output lists. */
    int steps() {
        Matcher m = Pattern.compile("\\{\"label\":").matcher(out);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}
