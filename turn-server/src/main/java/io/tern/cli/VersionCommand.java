package io.tern.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Print Tern's version and the Java runtime.")
final class VersionCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (String line : new Version().getVersion()) {
            System.out.println(line);
        }
        return 0;
    }
}
