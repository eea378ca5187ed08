package io.tern.client;

/**
 * A snapshot of a client's counters.
 *
 * @param transactions requests started
 * @param retransmissions UDP retransmissions (not counting each first transmission)
 * @param responses responses matched to a transaction
 * @param timeouts transactions that got no acceptable response in time
 * @param droppedMalformed frames that did not parse, or failed their FINGERPRINT
 * @param droppedUnknownTransaction responses whose transaction id (and method) match no request
 *     in flight: late duplicates, or spoofing
 * @param droppedIntegrity responses to an authenticated request that failed the integrity check
 * @param droppedUnexpected requests from the server and frames that are neither STUN nor ChannelData
 * @param transportErrors non-fatal transport errors, such as an ICMP port unreachable on UDP
 */
public record ClientStats(
        long transactions,
        long retransmissions,
        long responses,
        long timeouts,
        long droppedMalformed,
        long droppedUnknownTransaction,
        long droppedIntegrity,
        long droppedUnexpected,
        long transportErrors) {}
