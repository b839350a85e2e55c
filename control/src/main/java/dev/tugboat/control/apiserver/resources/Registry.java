package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.resources.selection.Selection;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import dev.tugboat.control.apiserver.resources.validation.ObjectMetaValidation;
import dev.tugboat.control.apiserver.resources.watchcache.WatchCache;
import dev.tugboat.control.store.Compare;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.KeyValueStore;
import dev.tugboat.control.store.Op;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.TxnRequest;
import dev.tugboat.control.store.TxnResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The generic storage logic for one resource (Kubernetes' {@code registry/generic/registry.Store}): objects as JSON
 * in the store, {@code resourceVersion} from the store's mod revision, writes as transactions guarded by that
 * revision, then the kind's strategy for everything kind-specific. The plain methods block on the store and run on
 * the resource layer's workers; the {@code ...Async} ones (create, update, patch, delete) return once the write is
 * proposed, and no thread waits for the store meanwhile.
 */
public final class Registry {

  private static final int MAX_RETRIES = 64;
  /** How long a consistent list waits for the watch cache to catch up before it reads the store instead. */
  private static final long FRESH_CACHE_WAIT_MS = 3000;
  private static final char[] GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

  private final ResourceType type;
  private final KeyValueStore store;
  private final Clock clock;
  private final WatchCache cache;
  private final NamespaceLifecycle namespaces;
  private final SecureRandom random = new SecureRandom();
  /**
   * The resource layer's after-store threads: where a request goes on once the store has answered (a read's result
   * taken up, a write that lost a race tried again), off the store's threads and apart from the workers.
   */
  private final Executor work;

  public Registry(ResourceType type, KeyValueStore store, Clock clock, WatchCache cache, NamespaceLifecycle namespaces,
                  Executor work) {
    this.work = work;
    this.type = type;
    this.store = store;
    this.clock = clock;
    this.cache = cache;
    this.namespaces = namespaces;
  }

  public ResourceType type() {
    return type;
  }

  public WatchCache cache() {
    return cache;
  }

  // ---- reads ----

  /** The object, or 404. */
  public ObjectNode get(String namespace, String name) {
    ObjectNode object = read(namespace, name);
    if (object == null) {
      throw notFound(name);
    }
    return object;
  }

  /** {@link #get} without waiting for the store: the future completes on an after-store thread, which decodes it. */
  public CompletableFuture<ObjectNode> getAsync(String namespace, String name) {
    return readFromStore(namespace, name).thenApplyAsync(response -> {
      ObjectNode object = only(response);
      if (object == null) {
        throw notFound(name);
      }
      return object;
    }, work);
  }

  /** The object as stored now, with its resourceVersion, or null. */
  ObjectNode read(String namespace, String name) {
    return only(StoreCalls.await(readFromStore(namespace, name)));
  }

  private CompletableFuture<RangeResponse> readFromStore(String namespace, String name) {
    return store.range(RangeRequest.key(type.key(namespace, name)));
  }

  /** The one object a read of its key found, or null. */
  private static ObjectNode only(RangeResponse response) {
    return response.kvs().isEmpty() ? null : decode(response.kvs().get(0));
  }

  public static ObjectNode decode(KeyValue kv) {
    ObjectNode object = Codec.parseStored(kv.value());
    Tree.metadata(object).put("resourceVersion", Long.toString(kv.modRevision()));
    return object;
  }

  /**
   * A list. Without a continue token or a limit it is served from the watch cache: at once for
   * {@code resourceVersion=0}, otherwise once the cache has caught up with the store's current revision, which makes
   * it as consistent as a read of the store (Kubernetes' consistent list from cache). Paged lists and
   * {@code resourceVersionMatch=Exact} read the store at one revision, in chunks of {@code limit}.
   */
  ObjectList list(String namespace, Selection selection, String resourceVersion, String resourceVersionMatch,
                  long limit, String continueToken) {
    ObjectList list = new ObjectList(type.kind() + "List", type.apiVersion());
    boolean continues = continueToken != null && !continueToken.isEmpty();
    if ("0".equals(resourceVersion) && !continues) {
      list.resourceVersion(cache.list(namespace, selection, item -> list.add(item.retainedJson())));
      return list;
    }
    long requested = 0;
    if (!continues && resourceVersion != null && !resourceVersion.isEmpty() && !"0".equals(resourceVersion)) {
      requested = parseResourceVersion(resourceVersion);
      if (!"Exact".equals(resourceVersionMatch) && requested > store.currentRevision()) {
        throw StatusError.timeout("Too large resource version: " + requested + ", current: "
            + store.currentRevision());
      }
    }
    if (!continues && limit <= 0 && !"Exact".equals(resourceVersionMatch)
        && cache.awaitRevision(store.currentRevision(), FRESH_CACHE_WAIT_MS)) {
      list.resourceVersion(cache.list(namespace, selection, item -> list.add(item.retainedJson())));
      return list;
    }
    byte[] prefix = type.collectionPrefix(namespace);
    String prefixText = new String(prefix, StandardCharsets.UTF_8);
    byte[] end = KeyRanges.prefixEnd(prefix);
    byte[] start = prefix;
    long revision = 0;
    if (continues) {
      ContinueToken token = ContinueToken.decode(continueToken);
      revision = token.revision();
      start = ContinueToken.bytes(prefixText + token.start());
    } else if ("Exact".equals(resourceVersionMatch) && requested > 0) {
      revision = requested;
    }
    long remaining = -1;
    String lastKey = null;
    boolean more = false;
    while (true) {
      RangeRequest request = new RangeRequest(start, end, limit > 0 ? limit - list.size() : 0, revision,
          false, false, false);
      RangeResponse response;
      try {
        response = StoreCalls.await(store.range(request));
      } catch (StatusError e) {
        if (e.code() == 410 && continues) {
          throw StatusError.gone("The provided continue parameter is too old to display a consistent list result. "
              + "You can start a new list without the continue parameter.");
        }
        throw e;
      }
      if (revision == 0) {
        revision = response.revision();
      }
      for (KeyValue kv : response.kvs()) {
        lastKey = new String(kv.key(), StandardCharsets.UTF_8);
        ObjectNode object = decode(kv);
        if (selection.matches(object)) {
          list.add(Codec.encode(object));
        }
      }
      more = response.more();
      if (limit <= 0 || !more || list.size() >= limit) {
        if (selection.isEverything() && more) {
          remaining = response.count() - response.kvs().size();
        }
        break;
      }
      start = ContinueToken.bytes(ContinueToken.startAfter(lastKey));
    }
    list.resourceVersion(revision);
    if (more && lastKey != null) {
      list.continueFrom(
          new ContinueToken(revision, ContinueToken.startAfter(lastKey.substring(prefixText.length()))).encode(),
          remaining);
    }
    return list;
  }

  static long parseResourceVersion(String resourceVersion) {
    try {
      long revision = Long.parseLong(resourceVersion);
      if (revision < 0) {
        throw new NumberFormatException();
      }
      return revision;
    } catch (NumberFormatException e) {
      throw StatusError.badRequest("invalid resource version: \"" + resourceVersion + "\"");
    }
  }

  // ---- create ----

  public ObjectNode create(String namespace, ObjectNode object, boolean dryRun) {
    return createWithJson(namespace, object, dryRun).object();
  }

  /** A created object, and its JSON as served (from the stored bytes, resourceVersion spliced in). */
  public record Created(ObjectNode object, byte[] json) {}

  /** {@link #create}, answering also the created object's JSON without encoding the object once more. */
  public Created createWithJson(String namespace, ObjectNode object, boolean dryRun) {
    Creation creation = new Creation(namespace, object, dryRun);
    for (int attempt = 0; ; attempt++) {
      Created created = StoreCalls.await(creation.attempt(attempt, Runnable::run));
      if (created != null) {
        return created;
      }
    }
  }

  /**
   * {@link #createWithJson} without waiting for the store: the checks, defaults and encoding run on the calling
   * thread, and the future completes once the write is committed (fsynced), or fails with the {@link StatusError}
   * that answers the request. What little is left after the commit (the served JSON) runs on {@code completions},
   * which is to be cheap (the connection's event loop); a lost race is tried again on the after-store threads ({@code
   * work}), as an attempt may read the store. No thread waits while the store commits: each in-flight create held one of
   * the workers before, so 64 clients kept 32 of them (and their wake-ups) busy on 2 cores.
   */
  public CompletableFuture<Created> createAsync(String namespace, ObjectNode object, boolean dryRun,
                                                Executor completions) {
    Creation creation;
    try {
      creation = new Creation(namespace, object, dryRun);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return createFrom(creation, 0, completions);
  }

  private CompletableFuture<Created> createFrom(Creation creation, int attempt, Executor completions) {
    CompletableFuture<Created> tried;
    try {
      tried = creation.attempt(attempt, completions);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return tried.thenCompose(created -> created != null ? CompletableFuture.completedFuture(created)
        : CompletableFuture.supplyAsync(() -> createFrom(creation, attempt + 1, completions), work)
            .thenCompose(next -> next));
  }

  /** One create: the object as prepared from the client's once, then as many attempts to store it as it takes. */
  private final class Creation {
    private final String namespace;
    private final ObjectNode object;
    private final boolean dryRun;
    private final boolean generated;
    private final String generateName;
    /**
     * Only a generated name or an allocation can lose a race and be tried again; without them the one attempt may
     * take the object itself (copying a pod's tree was about 4% of what the server allocated per create, JFR).
     */
    private final boolean mayRetry;

    Creation(String namespace, ObjectNode object, boolean dryRun) {
      this.namespace = namespace;
      this.object = object;
      this.dryRun = dryRun;
      checkKind(object);
      ObjectNode metadata = Tree.metadata(object);
      bindNamespace(namespace, metadata);
      metadata.remove("resourceVersion");
      String name = Tree.text(metadata, "name");
      this.generateName = Tree.text(metadata, "generateName");
      this.generated = (name == null || name.isEmpty()) && generateName != null && !generateName.isEmpty();
      if (type.namespaced()) {
        namespaces.admitCreate(type, namespace, name == null || name.isEmpty() ? generateName : name);
      }
      Instant now = clock.instant();
      metadata.put("uid", UUID.randomUUID().toString());
      metadata.put("creationTimestamp", Timestamps.format(now));
      metadata.remove("deletionTimestamp");
      metadata.remove("deletionGracePeriodSeconds");
      metadata.remove("selfLink");
      metadata.remove("managedFields");
      if (type.strategy().tracksGeneration()) {
        metadata.put("generation", 1);
      } else {
        metadata.remove("generation");
      }
      type.strategy().prepareForCreate(object);
      type.strategy().applyDefaults(object);
      this.mayRetry = generated || type.strategy().allocator() != null;
    }

    /**
     * Attempt number {@code attempt}: completes with the created object, with null when it lost a race that another
     * attempt may win, or fails with the StatusError that answers the create (409 AlreadyExists, 422, the store's).
     */
    CompletableFuture<Created> attempt(int attempt, Executor completions) {
      // each attempt starts from what the client sent, so numbers reserved by a lost race are chosen afresh
      ObjectNode candidate = mayRetry ? object.deepCopy() : object;
      if (generated) {
        Tree.metadata(candidate).put("name", generateName(generateName));
      }
      validate(candidate, type.strategy().validate(candidate));
      String finalName = Tree.name(candidate);
      Allocator allocator = type.strategy().allocator();
      Allocator.Reservation reservation = allocator == null ? Allocator.Reservation.NONE
          : allocator.reserve(candidate, null);
      if (dryRun) {
        return CompletableFuture.completedFuture(new Created(candidate, Codec.encode(candidate)));
      }
      byte[] key = type.key(namespace, finalName);
      List<Compare> compares = new ArrayList<>();
      compares.add(new Compare(key, KeyRanges.NONE, Compare.Target.CREATE, Compare.Result.EQUAL, 0, null));
      compares.addAll(reservation.compares());
      List<Op> ops = new ArrayList<>();
      byte[] stored = encodeForStore(candidate);
      ops.add(PutRequest.of(key, stored));
      ops.addAll(reservation.ops());
      WatchCache.ExpectedWrite expectedWrite = cache.expectWrite(new String(key, StandardCharsets.UTF_8), stored,
          candidate);
      CompletableFuture<TxnResponse> written;
      try {
        written = store.txn(new TxnRequest(compares, ops,
            List.of(new RangeRequest(key, KeyRanges.NONE, 0, 0, true, false, false))));
      } catch (RuntimeException e) {
        cache.forgetWrite(expectedWrite);
        throw e;
      }
      return written.handleAsync((response, failure) -> {
        if (failure != null) {
          cache.forgetWrite(expectedWrite);
          throw StoreCalls.translate(failure instanceof CompletionException ? failure.getCause() : failure);
        }
        if (response.succeeded()) {
          committed(response.revision());
          Tree.metadata(candidate).put("resourceVersion", Long.toString(response.revision()));
          byte[] json = expectedWrite.served(response.revision());
          return new Created(candidate, json != null ? json : Codec.encode(candidate));
        }
        cache.forgetWrite(expectedWrite);
        RangeResponse existing = (RangeResponse) response.responses().get(0);
        if (!existing.kvs().isEmpty()) {
          if (generated && attempt < 8) {
            return null;
          }
          throw StatusError.alreadyExists(type.group(), type.resource(), finalName);
        }
        if (attempt >= MAX_RETRIES) {
          throw StatusError.conflict(type.group(), type.resource(), finalName,
              "could not reserve its allocations after " + MAX_RETRIES + " attempts");
        }
        return null;
      }, completions);
    }
  }

  private String generateName(String base) {
    String prefix = base.length() > 58 ? base.substring(0, 58) : base;
    StringBuilder name = new StringBuilder(prefix);
    for (int i = 0; i < 5; i++) {
      name.append(GENERATE_NAME_ALPHABET[random.nextInt(GENERATE_NAME_ALPHABET.length)]);
    }
    return name.toString();
  }

  private void checkKind(ObjectNode object) {
    String kind = Tree.text(object, "kind");
    String apiVersion = Tree.text(object, "apiVersion");
    if (kind != null && !kind.isEmpty() && !kind.equals(type.kind())) {
      throw StatusError.badRequest("the kind of the provided object (" + kind + ") does not match the resource "
          + StatusError.groupResource(type.group(), type.resource()) + " (kind " + type.kind() + ")");
    }
    if (apiVersion != null && !apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion())) {
      throw StatusError.badRequest("the API version in the data (" + apiVersion
          + ") does not match the expected API version (" + type.apiVersion() + ")");
    }
    object.put("kind", type.kind());
    object.put("apiVersion", type.apiVersion());
  }

  private void bindNamespace(String namespace, ObjectNode metadata) {
    String bodyNamespace = Tree.text(metadata, "namespace");
    if (type.namespaced()) {
      if (bodyNamespace != null && !bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
        throw StatusError.badRequest("the namespace of the provided object does not match the namespace sent on "
            + "the request");
      }
      metadata.put("namespace", namespace);
    } else {
      metadata.remove("namespace");
    }
  }

  private void validate(ObjectNode object, List<FieldError> kindErrors) {
    List<FieldError> errors = new ArrayList<>(ObjectMetaValidation.validate(object, type.namespaced(),
        type.strategy()::validateName));
    errors.addAll(kindErrors);
    if (!errors.isEmpty()) {
      throw StatusError.invalid(type.group(), type.kind(), Tree.textOr(object, "", "metadata", "name"), errors);
    }
  }

  /** Stored values carry no resourceVersion: it is the key's mod revision. */
  static byte[] encodeForStore(ObjectNode object) {
    ObjectNode metadata = (ObjectNode) object.get("metadata");
    JsonNode resourceVersion = metadata.remove("resourceVersion");
    try {
      return Codec.encode(object);
    } finally {
      if (resourceVersion != null) {
        metadata.set("resourceVersion", resourceVersion);
      }
    }
  }

  // ---- update and patch ----

  /**
   * What a write may change: the main resource (not status), the status subresource (only status), or a
   * subresource the registry itself implements (binding, scale, finalize), whose change is taken as computed.
   */
  public enum Target { MAIN, STATUS, SUBRESOURCE }

  /** Replaces the object (PUT) with {@code object}. */
  public ObjectNode update(String namespace, String name, ObjectNode object, Target target, boolean dryRun) {
    return guaranteedUpdate(namespace, name, replacing(namespace, name, object), target, dryRun,
        type.strategy().allowCreateOnUpdate() && target == Target.MAIN);
  }

  /** {@link #update} without waiting for the store, as {@link #guaranteedUpdateAsync}. */
  public CompletableFuture<ObjectNode> updateAsync(String namespace, String name, ObjectNode object, Target target,
                                                   boolean dryRun, Executor completions) {
    UnaryOperator<ObjectNode> replace;
    try {
      replace = replacing(namespace, name, object);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return guaranteedUpdateAsync(namespace, name, replace, target, dryRun,
        type.strategy().allowCreateOnUpdate() && target == Target.MAIN, completions);
  }

  private UnaryOperator<ObjectNode> replacing(String namespace, String name, ObjectNode object) {
    checkKind(object);
    ObjectNode metadata = Tree.metadata(object);
    bindNamespace(namespace, metadata);
    String bodyName = Tree.text(metadata, "name");
    if (bodyName == null || bodyName.isEmpty()) {
      metadata.put("name", name);
    } else if (!bodyName.equals(name)) {
      throw StatusError.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL ("
          + name + ")");
    }
    return current -> object.deepCopy();
  }

  /**
   * Reads the object, lets {@code change} compute its new form, and writes it guarded by the read's revision,
   * retrying on races. A resourceVersion in the changed object is a precondition (409 if it is not current).
   */
  public ObjectNode guaranteedUpdate(String namespace, String name, UnaryOperator<ObjectNode> change, Target target,
                                    boolean dryRun, boolean allowCreate) {
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      ObjectNode current = read(namespace, name);
      if (current == null) {
        if (allowCreate) {
          try {
            return create(namespace, createdByUpdate(change, name), dryRun);
          } catch (StatusError e) {
            if ("AlreadyExists".equals(e.reason())) {
              continue;
            }
            throw e;
          }
        }
        throw notFound(name);
      }
      Write write = StoreCalls.await(updateOf(namespace, name, change, current, target, dryRun));
      if (write != null) {
        return write.object;
      }
    }
    throw tooManyWrites(name);
  }

  /**
   * {@link #guaranteedUpdate} without waiting for the store: each read's result is taken up on the after-store threads
   * (decoding, the change, validation, encoding), and the future completes once the write is committed. No
   * thread waits while the store reads or commits.
   */
  public CompletableFuture<ObjectNode> guaranteedUpdateAsync(String namespace, String name,
                                                             UnaryOperator<ObjectNode> change, Target target,
                                                             boolean dryRun, boolean allowCreate,
                                                             Executor completions) {
    return updateFrom(0, namespace, name, change, target, dryRun, allowCreate, completions);
  }

  private CompletableFuture<ObjectNode> updateFrom(int attempt, String namespace, String name,
                                                   UnaryOperator<ObjectNode> change, Target target, boolean dryRun,
                                                   boolean allowCreate, Executor completions) {
    if (attempt >= MAX_RETRIES) {
      return CompletableFuture.failedFuture(tooManyWrites(name));
    }
    return readFromStore(namespace, name).thenComposeAsync(response -> {
      ObjectNode current = only(response);
      if (current == null) {
        if (!allowCreate) {
          throw notFound(name);
        }
        return createAsync(namespace, createdByUpdate(change, name), dryRun, completions)
            .thenApply(Created::object)
            .exceptionallyCompose(failure -> {
              Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
              if (cause instanceof StatusError e && "AlreadyExists".equals(e.reason())) {
                return updateFrom(attempt + 1, namespace, name, change, target, dryRun, allowCreate, completions);
              }
              return CompletableFuture.failedFuture(cause);
            });
      }
      return updateOf(namespace, name, change, current, target, dryRun).thenCompose(write -> write != null
          ? CompletableFuture.completedFuture(write.object)
          : updateFrom(attempt + 1, namespace, name, change, target, dryRun, allowCreate, completions));
    }, work);
  }

  /** The object an update that may create makes when there is none: a resourceVersion in it is a 404. */
  private ObjectNode createdByUpdate(UnaryOperator<ObjectNode> change, String name) {
    ObjectNode created = change.apply(null);
    String precondition = Tree.text(created, "metadata", "resourceVersion");
    if (precondition != null && !precondition.isEmpty()) {
      throw notFound(name);
    }
    return created;
  }

  /** One attempt of an update over {@code current}: the write, or null when current was no longer the stored state. */
  private CompletableFuture<Write> updateOf(String namespace, String name, UnaryOperator<ObjectNode> change,
                                            ObjectNode current, Target target, boolean dryRun) {
    ObjectNode updated = change.apply(current.deepCopy());
    String uid = Tree.text(updated, "metadata", "uid");
    String currentUid = Tree.text(current, "metadata", "uid");
    if (uid != null && !uid.isEmpty() && !uid.equals(currentUid)) {
      throw StatusError.conflict(type.group(), type.resource(), name, "Precondition failed: UID in precondition: "
          + uid + ", UID in object meta: " + currentUid);
    }
    String currentVersion = Tree.text(current, "metadata", "resourceVersion");
    String precondition = Tree.text(updated, "metadata", "resourceVersion");
    if (precondition != null && !precondition.isEmpty() && !precondition.equals(currentVersion)) {
      throw StatusError.modified(type.group(), type.resource(), name);
    }
    ObjectNode next = prepareUpdate(updated, current, target);
    return write(namespace, name, next, current, dryRun);
  }

  private StatusError tooManyWrites(String name) {
    return StatusError.conflict(type.group(), type.resource(), name, "too many concurrent writes; please try again");
  }

  private ObjectNode prepareUpdate(ObjectNode updated, ObjectNode current, Target target) {
    ResourceStrategy strategy = type.strategy();
    ObjectNode next;
    List<FieldError> errors;
    if (target == Target.STATUS) {
      next = current.deepCopy();
      JsonNode status = updated.get("status");
      if (status == null) {
        next.remove("status");
      } else {
        next.set("status", status.deepCopy());
      }
      strategy.applyDefaults(next);
      errors = strategy.validateStatusUpdate(next, current);
    } else if (target == Target.SUBRESOURCE) {
      next = updated;
      strategy.applyDefaults(next);
      if (strategy.tracksGeneration() && specChanged(next, current)) {
        Tree.metadata(next).put("generation", current.path("metadata").path("generation").asLong(0) + 1);
      }
      errors = strategy.validate(next);
    } else {
      next = updated;
      next.put("kind", type.kind());
      next.put("apiVersion", type.apiVersion());
      ObjectNode metadata = Tree.metadata(next);
      ObjectNode oldMetadata = (ObjectNode) current.get("metadata");
      for (String field : new String[] {"uid", "creationTimestamp", "deletionTimestamp",
          "deletionGracePeriodSeconds", "generation", "namespace", "name"}) {
        JsonNode value = oldMetadata.get(field);
        if (value == null) {
          metadata.remove(field);
        } else {
          metadata.set(field, value.deepCopy());
        }
      }
      metadata.remove("selfLink");
      metadata.remove("managedFields");
      strategy.prepareForUpdate(next, current);
      strategy.applyDefaults(next);
      if (strategy.tracksGeneration() && specChanged(next, current)) {
        metadata.put("generation", oldMetadata.path("generation").asLong(0) + 1);
      }
      errors = new ArrayList<>(strategy.validateUpdate(next, current));
      if (Tree.isPresent(oldMetadata.get("deletionTimestamp"))) {
        List<String> before = strings(oldMetadata.get("finalizers"));
        for (String finalizer : strings(metadata.get("finalizers"))) {
          if (!before.contains(finalizer)) {
            errors.add(FieldError.forbidden("metadata.finalizers",
                "no new finalizers can be added if the object is being deleted, found new finalizers [\""
                    + finalizer + "\"]"));
            break;
          }
        }
      }
    }
    validate(next, errors);
    Tree.metadata(next).put("resourceVersion", Tree.textOr(current, "", "metadata", "resourceVersion"));
    return next;
  }

  private static boolean specChanged(ObjectNode next, ObjectNode current) {
    ObjectNode a = next.deepCopy();
    ObjectNode b = current.deepCopy();
    for (ObjectNode node : new ObjectNode[] {a, b}) {
      node.remove("metadata");
      node.remove("status");
    }
    return !a.equals(b);
  }

  static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    if (array != null && array.isArray()) {
      for (JsonNode value : array) {
        values.add(value.asString());
      }
    }
    return values;
  }

  private record Write(ObjectNode object) {}

  /**
   * Writes {@code next} over {@code current} if current is still the stored state; null when it was not (retry).
   * Deletes instead when {@code next} is being deleted and has no finalizers left.
   */
  private CompletableFuture<Write> write(String namespace, String name, ObjectNode next, ObjectNode current,
                                         boolean dryRun) {
    byte[] key = type.key(namespace, name);
    long modRevision = Long.parseLong(Tree.textOr(current, "0", "metadata", "resourceVersion"));
    Compare unchanged = Compare.modRevision(key, Compare.Result.EQUAL, modRevision);
    ObjectMetaView meta = new ObjectMetaView(next);
    Allocator allocator = type.strategy().allocator();
    if (meta.deletionTimestamp() != null && meta.finalizers().isEmpty() && type.strategy().deleteWhenFinalized(next)) {
      if (dryRun) {
        return CompletableFuture.completedFuture(new Write(next));
      }
      List<Op> ops = new ArrayList<>();
      ops.add(DeleteRangeRequest.key(key));
      if (allocator != null) {
        ops.addAll(allocator.release(current));
      }
      return committedAs(store.txn(new TxnRequest(List.of(unchanged), ops, List.of())), next);
    }
    if (next.equals(current)) {
      return CompletableFuture.completedFuture(new Write(current));
    }
    Allocator.Reservation reservation = allocator == null ? Allocator.Reservation.NONE
        : allocator.reserve(next, current);
    if (dryRun) {
      return CompletableFuture.completedFuture(new Write(next));
    }
    List<Compare> compares = new ArrayList<>();
    compares.add(unchanged);
    compares.addAll(reservation.compares());
    List<Op> ops = new ArrayList<>();
    ops.add(PutRequest.of(key, encodeForStore(next)));
    ops.addAll(reservation.ops());
    return committedAs(store.txn(new TxnRequest(compares, ops, List.of())), next);
  }

  /**
   * {@code next} at the revision a guarded write committed, or null when its guard failed (another write came
   * first); a store failure as the StatusError that answers it. Cheap: it runs on the thread that completes the write.
   */
  private CompletableFuture<Write> committedAs(CompletableFuture<TxnResponse> written, ObjectNode next) {
    return written.handle((response, failure) -> {
      if (failure != null) {
        throw StoreCalls.translate(failure instanceof CompletionException c ? c.getCause() : failure);
      }
      if (!response.succeeded()) {
        return null;
      }
      committed(response.revision());
      Tree.metadata(next).put("resourceVersion", Long.toString(response.revision()));
      return new Write(next);
    });
  }

  // ---- delete ----

  /** The outcome of a delete: the object's last state, and whether it is gone or still being deleted. */
  public record Deletion(ObjectNode object, boolean gone) {}

  public Deletion delete(String namespace, String name, DeleteOptions options, boolean dryRun) {
    for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {
      Deletion deletion = StoreCalls.await(deletionOf(namespace, name, options, read(namespace, name), dryRun));
      if (deletion != null) {
        return deletion;
      }
    }
    throw tooManyWrites(name);
  }

  /** {@link #delete} without waiting for the store, as {@link #guaranteedUpdateAsync} updates. */
  public CompletableFuture<Deletion> deleteAsync(String namespace, String name, DeleteOptions options, boolean dryRun) {
    return deleteFrom(0, namespace, name, options, dryRun);
  }

  private CompletableFuture<Deletion> deleteFrom(int attempt, String namespace, String name, DeleteOptions options,
                                                 boolean dryRun) {
    if (attempt >= MAX_RETRIES) {
      return CompletableFuture.failedFuture(tooManyWrites(name));
    }
    return readFromStore(namespace, name).thenComposeAsync(response ->
        deletionOf(namespace, name, options, only(response), dryRun).thenCompose(deletion -> deletion != null
            ? CompletableFuture.completedFuture(deletion) : deleteFrom(attempt + 1, namespace, name, options, dryRun)),
        work);
  }

  /** One attempt of a delete of {@code current}: its outcome, or null when current was no longer the stored state. */
  private CompletableFuture<Deletion> deletionOf(String namespace, String name, DeleteOptions options,
                                                 ObjectNode current, boolean dryRun) {
    if (current == null) {
      throw notFound(name);
    }
    options.checkPreconditions(type, current);
    ResourceStrategy strategy = type.strategy();
    ObjectNode marked = current.deepCopy();
    boolean keep = markForDeletion(marked, current, options);
    if (keep) {
      if (marked.equals(current)) {
        return CompletableFuture.completedFuture(new Deletion(current, false));
      }
      return write(namespace, name, marked, current, dryRun)
          .thenApply(write -> write == null ? null : new Deletion(write.object, false));
    }
    if (dryRun) {
      return CompletableFuture.completedFuture(new Deletion(current, true));
    }
    byte[] key = type.key(namespace, name);
    long modRevision = Long.parseLong(Tree.text(current, "metadata", "resourceVersion"));
    List<Op> ops = new ArrayList<>();
    ops.add(DeleteRangeRequest.key(key));
    if (strategy.allocator() != null) {
      ops.addAll(strategy.allocator().release(current));
    }
    return store.txn(new TxnRequest(List.of(Compare.modRevision(key, Compare.Result.EQUAL, modRevision)), ops,
        List.of())).handle((response, failure) -> {
          if (failure != null) {
            throw StoreCalls.translate(failure instanceof CompletionException c ? c.getCause() : failure);
          }
          if (!response.succeeded()) {
            return null;
          }
          committed(response.revision());
          return new Deletion(current, true);
        });
  }

  /**
   * Sets deletionTimestamp (and grace) on {@code object} when it must stay for now: it has finalizers, or its
   * strategy deletes it gracefully. Returns whether it stays.
   */
  private boolean markForDeletion(ObjectNode object, ObjectNode current, DeleteOptions options) {
    Instant now = clock.instant();
    GracefulDeletion graceful = type.strategy() instanceof GracefulDeletion g ? g : null;
    ObjectMetaView meta = new ObjectMetaView(current);
    // Orphan and Foreground are the garbage collector's work, done before the object may go: as kube-apiserver,
    // the delete leaves a finalizer the collector removes once the dependents are released or deleted.
    String collectorFinalizer = "Orphan".equals(options.propagationPolicy()) ? "orphan"
        : "Foreground".equals(options.propagationPolicy()) ? "foregroundDeletion" : null;
    boolean finalizerAdded = collectorFinalizer != null && !meta.finalizers().contains(collectorFinalizer);
    if (finalizerAdded) {
      ObjectNode metadata = Tree.metadata(object);
      (metadata.has("finalizers") ? (ArrayNode) metadata.get("finalizers") : metadata.putArray("finalizers"))
          .add(collectorFinalizer);
    }
    if (graceful != null) {
      Long grace = graceful.gracePeriod(current, options);
      if (grace != null && grace > 0) {
        Long existing = meta.deletionGracePeriodSeconds();
        if (meta.deletionTimestamp() == null || existing == null || grace < existing) {
          ObjectNode metadata = Tree.metadata(object);
          metadata.put("deletionTimestamp", Timestamps.format(now.plusSeconds(grace)));
          metadata.put("deletionGracePeriodSeconds", grace);
        }
        graceful.onMarkedForDeletion(object);
        return true;
      }
      if (graceful.keepsAfterGrace(current)) {
        ObjectNode metadata = Tree.metadata(object);
        if (meta.deletionTimestamp() == null) {
          metadata.put("deletionTimestamp", Timestamps.format(now));
        }
        metadata.put("deletionGracePeriodSeconds", 0);
        graceful.onMarkedForDeletion(object);
        return true;
      }
    }
    if (!meta.finalizers().isEmpty() || finalizerAdded) {
      ObjectNode metadata = Tree.metadata(object);
      if (meta.deletionTimestamp() == null) {
        metadata.put("deletionTimestamp", Timestamps.format(now));
        metadata.put("deletionGracePeriodSeconds", 0);
      } else if (meta.deletionGracePeriodSeconds() != null && meta.deletionGracePeriodSeconds() > 0) {
        metadata.put("deletionGracePeriodSeconds", 0);
      }
      return true;
    }
    return false;
  }

  /** Deletes every object matching {@code selection} in {@code namespace}; answers the list of what it deleted. */
  public ObjectNode deleteCollection(String namespace, Selection selection, DeleteOptions options, boolean dryRun) {
    ObjectNode list = list(namespace, selection, null, null, 0, null).tree();
    ArrayNode deleted = Codec.NODES.arrayNode();
    for (JsonNode item : list.get("items")) {
      try {
        deleted.add(delete(Tree.namespace(item), Tree.name(item), options, dryRun).object());
      } catch (StatusError e) {
        if (e.code() != 404) {
          throw e;
        }
      }
    }
    list.set("items", deleted);
    return list;
  }

  /** A write of ours reached the store at {@code revision}; namespace admission must see namespaces' own. */
  private void committed(long revision) {
    if (!type.namespaced() && type.group().isEmpty() && type.resource().equals("namespaces")) {
      namespaces.written(revision);
    }
  }

  StatusError notFound(String name) {
    return StatusError.notFound(type.group(), type.resource(), name);
  }
}
