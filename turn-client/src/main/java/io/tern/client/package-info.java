/**
 * A small asynchronous STUN/TURN client on Netty, for tests, {@code tern probe} and the load
 * generator, and the worked example of the {@code io.tern.stun} codec.
 *
 * <p>Start at {@link io.tern.client.StunClient}: Binding, the TURN operations (allocate, refresh,
 * createPermission, channelBind, send, sendChannelData) and relayed data through an {@link
 * io.tern.client.InboundListener}. Requests are values built with {@link
 * io.tern.stun.StunMessage#builder}; responses come back as {@link io.tern.stun.StunMessage}
 * records. Inside, the client reads with the zero-copy {@link io.tern.stun.StunReader}: it checks
 * framing, FINGERPRINT and MESSAGE-INTEGRITY on the buffer before it decodes anything into records.
 */
package io.tern.client;
