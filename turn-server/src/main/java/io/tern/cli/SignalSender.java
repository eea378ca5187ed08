package io.tern.cli;

import java.io.IOException;

/** Finds the server, signals it, and says what happened: exit 0 when sent, 1 when not. */
final class SignalSender {
    private SignalSender() {}

    static int send(RunningServer server, String signal, String what) throws InterruptedException {
        try {
            long pid = server.find(System.getenv());
            RunningServer.signal(pid, signal);
            System.out.println("tern: asked tern serve (pid " + pid + ") to " + what + " (SIG" + signal
                    + "); its log has the outcome");
            return 0;
        } catch (IOException e) {
            System.err.println("tern " + what + ": " + e.getMessage());
            return 1;
        }
    }
}
