package dev.tugboat.control.store.raft;

/** What the data of a log {@link Entry} holds. */
public enum EntryType {
    /** Application data (a state machine command); empty data is the no-op a new leader appends. */
    NORMAL,
    /** An encoded {@link ConfChange}; it takes effect when the entry is applied. */
    CONF_CHANGE
}
