package io.tern.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tern completion}: a bash (and zsh, through bashcompinit) completion script for every command. */
@Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = {
            "Print a bash completion script for tern's commands and options.",
            "Try it:   source <(tern completion)",
            "Install:  tern completion > /etc/bash_completion.d/tern",
            "zsh:      autoload -U +X bashcompinit && bashcompinit && source <(tern completion)"
        })
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().print(AutoComplete.bash("tern", spec.root().commandLine()));
        spec.commandLine().getOut().flush();
    }
}
