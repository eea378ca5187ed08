package io.tern.cli;

import java.util.Stack;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Takes the argument after a secret-bearing option ({@code --secret}, {@code --password}) as it
 * is. Picocli's own parsing refuses a value that looks like an option ({@code -x...}) and quotes
 * it in the error; a random secret may well start with a dash, and must not end up on a terminal
 * or in a CI log. The errors here name the option, never the value.
 */
final class RawSecretValue implements IParameterConsumer {
    @Override
    public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
        String name = ((OptionSpec) argSpec).longestName();
        if (args.isEmpty()) {
            throw new ParameterException(
                    commandSpec.commandLine(),
                    "Missing required parameter for option '" + name + "' (" + argSpec.paramLabel() + ")");
        }
        if (argSpec.getValue() != null) {
            args.pop();
            throw new ParameterException(
                    commandSpec.commandLine(),
                    "option '" + name + "' (" + argSpec.paramLabel() + ") should be specified only once");
        }
        argSpec.setValue(args.pop());
    }
}
