package io.tern.load.scenario;

import io.tern.client.StunErrorResponseException;
import io.tern.client.TransactionTimeoutException;
import io.tern.load.LoadException;
import io.tern.load.Target;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns what went wrong into the sentence an operator needs and the exit status. */
final class Failures {
    private Failures() {}

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static boolean isTimeout(Throwable e) {
        return unwrap(e) instanceof TransactionTimeoutException;
    }

    static LoadException noAnswer(String what, Target target) {
        return new LoadException(
                LoadException.FAILED,
                "no answer to " + what + " from " + target.describe() + " over "
                        + target.protocol().name().toLowerCase(java.util.Locale.ROOT)
                        + ": is a STUN/TURN server running there?");
    }

    /** A failure of a set-up step ({@code what}) as a {@link LoadException}. */
    static LoadException explain(String what, Throwable error, Target target) {
        Throwable e = unwrap(error);
        String where = target.describe() + " over " + target.protocol().name().toLowerCase(java.util.Locale.ROOT);
        if (e instanceof StunErrorResponseException r) {
            if (r.code() == 401) {
                return new LoadException(
                        LoadException.AUTH,
                        "authentication failed: " + where + " answered " + what + " with 401 " + r.reason()
                                + " after the credentials were sent; check --user/--password or --secret (and the"
                                + " server's realm and users)");
            }
            if (r.code() == 403 && what.startsWith("ChannelBind")) {
                return new LoadException(
                        LoadException.FAILED,
                        what + " refused with 403 " + r.reason() + ": the server does not allow loopback peers;"
                                + " start it with --allow-loopback-peers (Tern and coturn alike)");
            }
            return new LoadException(
                    LoadException.FAILED, what + " failed at " + where + ": " + r.code() + " " + r.reason());
        }
        if (e instanceof TransactionTimeoutException) {
            return noAnswer(what, target);
        }
        if (e instanceof ConnectException) {
            return new LoadException(LoadException.FAILED, "cannot connect to " + where + " (" + e.getMessage() + ")");
        }
        return new LoadException(LoadException.FAILED, what + " failed at " + where + ": " + e, e);
    }
}
