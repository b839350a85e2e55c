package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.DeleteOptions;
import dev.tugboat.control.apiserver.resources.GracefulDeletion;
import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.StatusError;
import dev.tugboat.control.apiserver.resources.Tree;
import dev.tugboat.control.apiserver.resources.validation.Names;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * Namespaces: Active on create with the {@code kubernetes} finalizer in {@code spec.finalizers}; a delete turns them
 * Terminating, and they go only once {@code spec.finalizers} is emptied (through the finalize subresource) by the
 * namespace controller after it removed their content.
 */
public final class NamespaceStrategy extends ResourceStrategy implements GracefulDeletion {

  public static final String FINALIZER = "kubernetes";

  @Override
  public List<String> validateName(String name) {
    return Names.dns1123Label(name);
  }

  @Override
  public boolean hasStatus() {
    return true;
  }

  @Override
  public boolean tracksGeneration() {
    return false;
  }

  @Override
  public void prepareForCreate(ObjectNode namespace) {
    namespace.remove("status");
    namespace.putObject("status").put("phase", "Active");
    Tree.object(namespace, "spec").putArray("finalizers").add(FINALIZER);
  }

  @Override
  public void prepareForUpdate(ObjectNode namespace, ObjectNode old) {
    super.prepareForUpdate(namespace, old);
    // spec.finalizers change only through the finalize subresource
    ObjectNode spec = Tree.object(namespace, "spec");
    if (old.path("spec").has("finalizers")) {
      spec.set("finalizers", old.path("spec").get("finalizers").deepCopy());
    } else {
      spec.remove("finalizers");
    }
  }

  @Override
  public void applyDefaults(ObjectNode namespace) {
    Tree.object(namespace, "metadata", "labels").put("kubernetes.io/metadata.name", Tree.name(namespace));
  }

  @Override
  public Long gracePeriod(ObjectNode current, DeleteOptions options) {
    return 0L;
  }

  @Override
  public boolean keepsAfterGrace(ObjectNode current) {
    if (Tree.isPresent(Tree.at(current, "metadata", "deletionTimestamp"))) {
      throw StatusError.conflict("", "namespaces", Tree.name(current), "The system is ensuring all content is "
          + "removed from this namespace.  Upon completion, this namespace will automatically be purged by the "
          + "system.");
    }
    return !current.path("spec").path("finalizers").isEmpty();
  }

  @Override
  public void onMarkedForDeletion(ObjectNode namespace) {
    Tree.object(namespace, "status").put("phase", "Terminating");
  }

  @Override
  public boolean deleteWhenFinalized(ObjectNode namespace) {
    return namespace.path("spec").path("finalizers").isEmpty();
  }

  @Override
  protected Map<String, String> extraFields(ObjectNode namespace) {
    return Map.of("status.phase", Tree.textOr(namespace, "", "status", "phase"));
  }

  @Override
  protected Set<String> extraFieldNames() {
    return Set.of("status.phase");
  }
}
