package io.tern.server.turn;

import io.tern.server.auth.Authenticator;
import io.tern.server.stun.Responder;
import io.tern.server.stun.StunDispatcher;
import io.tern.stun.StunMethod;

/** Registers the TURN method handlers of one event loop on its dispatcher. */
public final class TurnMethods {
    private TurnMethods() {}

    /**
     * Installs Allocate, Refresh, CreatePermission, ChannelBind, Send, and RFC 6062's Connect and
     * ConnectionBind; returns the data path.
     */
    public static ClientRelay install(
            StunDispatcher dispatcher, RelayLoop loop, Authenticator authenticator, Responder responder) {
        TurnRequests turn = new TurnRequests(loop, authenticator, responder);
        ClientRelay relay = new ClientRelay(loop);
        dispatcher
                .onRequest(StunMethod.ALLOCATE, new AllocateHandler(turn))
                .onRequest(StunMethod.REFRESH, new RefreshHandler(turn))
                .onRequest(StunMethod.CREATE_PERMISSION, new CreatePermissionHandler(turn))
                .onRequest(StunMethod.CHANNEL_BIND, new ChannelBindHandler(turn))
                .onRequest(StunMethod.CONNECT, new ConnectHandler(turn))
                .onRequest(StunMethod.CONNECTION_BIND, new ConnectionBindHandler(turn))
                .onIndication(StunMethod.SEND, new SendHandler(loop, relay));
        return relay;
    }
}
