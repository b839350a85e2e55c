package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.Op;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.StoreException.Code;
import dev.tugboat.control.store.TxnRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** The checks etcd makes on a request before proposing it; a refused request is never replicated. */
final class RequestChecks {

  /** etcd's default {@code --max-txn-ops}. */
  static final int MAX_TXN_OPS = 128;
  /** etcd's MaxLeaseTTL. */
  static final long MAX_LEASE_TTL_SECONDS = 9_000_000_000L;

  private RequestChecks() {}

  static void checkRange(RangeRequest r) {
    checkKey(r.key(), "range");
  }

  static void checkPut(PutRequest p) {
    checkKey(p.key(), "put");
    if (p.ignoreValue() && p.value() != null && p.value().length > 0) {
      throw new StoreException(Code.VALUE_PROVIDED, "put " + StoreStateMachine.printable(p.key())
          + ": a value is given together with ignore_value");
    }
    if (p.ignoreLease() && p.lease() != 0) {
      throw new StoreException(Code.LEASE_PROVIDED, "put " + StoreStateMachine.printable(p.key())
          + ": a lease is given together with ignore_lease");
    }
  }

  static void checkDeleteRange(DeleteRangeRequest d) {
    checkKey(d.key(), "delete");
  }

  static void checkTxn(TxnRequest t) {
    checkOps(t);
    checkIntervals(t);
  }

  static void checkLeaseTtl(long ttlSeconds) {
    if (ttlSeconds > MAX_LEASE_TTL_SECONDS) {
      throw new StoreException(Code.LEASE_TTL_TOO_LARGE,
          "lease TTL " + ttlSeconds + "s is larger than the maximum " + MAX_LEASE_TTL_SECONDS + "s");
    }
  }

  private static void checkKey(byte[] key, String request) {
    if (key == null || key.length == 0) {
      throw new StoreException(Code.EMPTY_KEY, request + ": key is not provided");
    }
  }

  private static void checkOps(TxnRequest t) {
    if (t.compare().size() > MAX_TXN_OPS || t.success().size() > MAX_TXN_OPS || t.failure().size() > MAX_TXN_OPS) {
      throw new StoreException(Code.TOO_MANY_OPS, "txn: more than " + MAX_TXN_OPS + " compares or operations");
    }
    for (List<Op> branch : List.of(t.success(), t.failure())) {
      for (Op op : branch) {
        if (op instanceof RangeRequest r) {
          checkRange(r);
        } else if (op instanceof PutRequest p) {
          checkPut(p);
        } else if (op instanceof DeleteRangeRequest d) {
          checkDeleteRange(d);
        } else {
          checkOps((TxnRequest) op);
        }
      }
    }
  }

  /** The keys a branch writes: puts, and delete ranges as {key, rangeEnd}. */
  private record Writes(TreeSet<byte[]> puts, List<byte[][]> deletes) {
    Writes() {
      this(new TreeSet<>(KeySpace.KEY_ORDER), new ArrayList<>());
    }
  }

  /** As etcd: no key may be written twice by one transaction, by two puts or by a put and a delete. */
  private static void checkIntervals(TxnRequest t) {
    branchWrites(t.success());
    branchWrites(t.failure());
  }

  private static Writes branchWrites(List<Op> ops) {
    Writes own = new Writes();
    List<Writes> nested = new ArrayList<>();
    for (Op op : ops) {
      if (op instanceof PutRequest p) {
        if (!own.puts.add(p.key())) {
          throw duplicate(p.key());
        }
      } else if (op instanceof DeleteRangeRequest d) {
        own.deletes.add(new byte[][] {d.key(), d.rangeEnd()});
      } else if (op instanceof TxnRequest t) {
        nested.add(branchWrites(t.success()));
        nested.add(branchWrites(t.failure()));
      }
    }
    checkDisjoint(own.deletes, own.puts);
    Writes all = new Writes();
    all.puts.addAll(own.puts);
    all.deletes.addAll(own.deletes);
    for (Writes branch : nested) {
      for (byte[] key : branch.puts) {
        if (own.puts.contains(key)) {
          throw duplicate(key);
        }
      }
      checkDisjoint(own.deletes, branch.puts);
      checkDisjoint(branch.deletes, own.puts);
      all.puts.addAll(branch.puts);
      all.deletes.addAll(branch.deletes);
    }
    return all;
  }

  private static void checkDisjoint(List<byte[][]> deletes, TreeSet<byte[]> puts) {
    for (byte[][] d : deletes) {
      for (byte[] key : puts) {
        if (Watcher.contains(d[0], d[1], key)) {
          throw duplicate(key);
        }
      }
    }
  }

  private static StoreException duplicate(byte[] key) {
    return new StoreException(Code.DUPLICATE_KEY,
        "txn: key " + StoreStateMachine.printable(key) + " is written more than once");
  }
}
