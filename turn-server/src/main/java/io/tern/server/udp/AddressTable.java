package io.tern.server.udp;

/**
 * A map from UDP transport address to {@code V}: open addressing with linear probing over
 * parallel arrays, compared by the address numbers of {@link UdpEndpoint}, so looking up a
 * datagram's {@link UdpSource} builds nothing (a {@code HashMap} would need an address object per
 * datagram). Not thread-safe: owned by one event loop.
 */
public final class AddressTable<V> {
    private UdpAddress[] keys = new UdpAddress[16];
    private Object[] values = new Object[16];
    private int size;

    /** The value of {@code address}, or null. Allocates nothing. */
    @SuppressWarnings("unchecked")
    public V get(UdpEndpoint address) {
        int mask = keys.length - 1;
        for (int i = address.hash() & mask; keys[i] != null; i = (i + 1) & mask) {
            if (keys[i].sameAs(address)) {
                return (V) values[i];
            }
        }
        return null;
    }

    /** Sets the value of {@code address}, replacing any. */
    public void put(UdpAddress address, V value) {
        if ((size + 1) * 2 > keys.length) {
            resize(keys.length * 2);
        }
        int mask = keys.length - 1;
        int i = address.hash() & mask;
        while (keys[i] != null) {
            if (keys[i].sameAs(address)) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = address;
        values[i] = value;
        size++;
    }

    /** Removes {@code address} if its value is {@code value}; whether it did. */
    public boolean remove(UdpEndpoint address, V value) {
        int mask = keys.length - 1;
        int i = address.hash() & mask;
        while (keys[i] != null && !keys[i].sameAs(address)) {
            i = (i + 1) & mask;
        }
        if (keys[i] == null || values[i] != value) {
            return false;
        }
        keys[i] = null;
        values[i] = null;
        size--;
        // Re-seat the rest of the probe run, so that no entry is cut off from its home slot.
        for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
            UdpAddress k = keys[j];
            Object v = values[j];
            keys[j] = null;
            values[j] = null;
            size--;
            reinsert(k, v);
        }
        return true;
    }

    public int size() {
        return size;
    }

    private void reinsert(UdpAddress address, Object value) {
        int mask = keys.length - 1;
        int i = address.hash() & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = address;
        values[i] = value;
        size++;
    }

    private void resize(int capacity) {
        UdpAddress[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new UdpAddress[capacity];
        values = new Object[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                reinsert(oldKeys[i], oldValues[i]);
            }
        }
    }
}
