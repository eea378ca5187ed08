package io.tern.load.scenario;

import io.tern.client.StunClient;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Setting up and tearing down the allocations of the relay and call scenarios. */
final class Allocations {
    private Allocations() {}

    /** Connects endpoint {@code index}'s client on its loop and allocates a UDP relay. */
    static CompletableFuture<Endpoint> allocate(ClientPool pool, int index, Endpoint endpoint) {
        return pool.connect(index, endpoint).thenCompose(client -> {
            endpoint.client = client;
            return client.allocate().thenApply(allocation -> {
                endpoint.allocation = allocation;
                return endpoint;
            });
        });
    }

    /** Waits for set-up steps, turning the first failure into the operator's explanation. */
    static <T> List<T> await(String what, List<CompletableFuture<T>> steps, ClientPool pool) {
        List<T> done = new ArrayList<>(steps.size());
        long deadline = System.nanoTime() + pool.timeout().toNanos() * 3 + TimeUnit.SECONDS.toNanos(2);
        for (CompletableFuture<T> step : steps) {
            try {
                done.add(step.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (ExecutionException e) {
                throw Failures.explain(what, e, pool.target());
            } catch (TimeoutException e) {
                throw Failures.noAnswer(what, pool.target());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during " + what, e);
            }
        }
        return done;
    }

    /** Binds {@code channel} to {@code peer} on the endpoint's allocation. */
    static CompletableFuture<Void> bind(Endpoint endpoint, int channel, InetSocketAddress peer) {
        return endpoint.client.channelBind(channel, peer);
    }

    /**
     * Deletes every allocation (Refresh with LIFETIME 0) and closes the clients; waits at most
     * {@code timeout} for the deletions. Returns how many were deleted.
     */
    static int release(List<Endpoint> endpoints, Duration timeout) {
        List<CompletableFuture<Duration>> deletes = new ArrayList<>();
        for (Endpoint e : endpoints) {
            if (e.client != null && e.allocation != null) {
                deletes.add(e.client.refresh(Duration.ZERO));
            }
        }
        int deleted = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        for (CompletableFuture<Duration> d : deletes) {
            try {
                d.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                deleted++;
            } catch (ExecutionException | TimeoutException e) {
                // counted as not deleted; the server expires it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Endpoint e : endpoints) {
            StunClient c = e.client;
            if (c != null) {
                c.close();
            }
        }
        return deleted;
    }

    /** Refreshes allocations and channel bindings (and so permissions) in the background. */
    static void refresh(List<Endpoint> endpoints, Duration lifetime, java.util.function.Consumer<Throwable> onError) {
        for (Endpoint e : endpoints) {
            StunClient c = e.client;
            if (c == null) {
                continue;
            }
            c.refresh(lifetime).whenComplete((d, error) -> {
                if (error != null) {
                    onError.accept(error);
                }
            });
            for (Endpoint.OutStream s : e.out) {
                InetSocketAddress peer = e.peerOf(s.channel);
                if (peer != null) {
                    c.channelBind(s.channel, peer).whenComplete((v, error) -> {
                        if (error != null) {
                            onError.accept(error);
                        }
                    });
                }
            }
        }
    }
}
