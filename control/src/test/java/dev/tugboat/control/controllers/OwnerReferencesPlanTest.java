package dev.tugboat.control.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class OwnerReferencesPlanTest {

  private static final JsonMapper JSON = JsonMapper.shared();
  private static final Set<String> LISTED = Set.of("ReplicaSet", "Pod", "Deployment");

  private static ObjectNode object(String kind, String name, String uid) {
    ObjectNode o = JSON.createObjectNode();
    o.put("kind", kind);
    o.putObject("metadata").put("name", name).put("uid", uid).put("namespace", "ns");
    return o;
  }

  private static ObjectNode ownedBy(ObjectNode dependent, String kind, String name, String uid) {
    ObjectNode meta = (ObjectNode) dependent.path("metadata");
    (meta.has("ownerReferences") ? (tools.jackson.databind.node.ArrayNode) meta.get("ownerReferences")
        : meta.putArray("ownerReferences")).addObject().put("apiVersion", "apps/v1").put("kind", kind)
        .put("name", name).put("uid", uid).put("controller", true);
    return dependent;
  }

  private static ObjectNode deleting(ObjectNode object, String... finalizers) {
    ObjectNode meta = (ObjectNode) object.path("metadata");
    meta.put("deletionTimestamp", "2026-11-29T08:00:00Z");
    var array = meta.putArray("finalizers");
    for (String f : finalizers) array.add(f);
    return object;
  }

  private static OwnerReferencesPlan plan(JsonNode... objects) {
    Map<String, JsonNode> byUid = new LinkedHashMap<>();
    for (JsonNode o : objects) byUid.put(o.path("metadata").path("uid").asString(), o);
    return OwnerReferencesPlan.of(byUid, LISTED);
  }

  private static List<String> names(List<JsonNode> objects) {
    return objects.stream().map(o -> o.path("metadata").path("name").asString()).toList();
  }

  @Test
  void dependentsOfALiveOwnerStay() {
    OwnerReferencesPlan plan = plan(object("ReplicaSet", "rs", "u1"), ownedBy(object("Pod", "p", "u2"), "ReplicaSet", "rs", "u1"));
    assertThat(plan.deletes()).isEmpty();
    assertThat(plan.repoints()).isEmpty();
    assertThat(plan.unfinalizes()).isEmpty();
  }

  @Test
  void aDependentWhoseOwnersAreAllGoneIsDeletedAndOneWithAnOwnerLeftOnlyLosesTheReference() {
    OwnerReferencesPlan plan = plan(object("Deployment", "d", "u0"),
        ownedBy(object("Pod", "orphaned", "u2"), "ReplicaSet", "rs", "gone"),
        ownedBy(ownedBy(object("Pod", "shared", "u3"), "ReplicaSet", "rs", "gone"), "Deployment", "d", "u0"));
    assertThat(names(plan.deletes())).containsExactly("orphaned");
    assertThat(plan.repoints()).hasSize(1);
    assertThat(plan.repoints().get(0).owners()).hasSize(1);
    assertThat(plan.repoints().get(0).owners().get(0).path("uid").asString()).isEqualTo("u0");
  }

  @Test
  void anOwnerReplacedByANewObjectOfTheSameNameIsGoneForItsOldDependents() {
    OwnerReferencesPlan plan = plan(object("ReplicaSet", "rs", "new-uid"),
        ownedBy(object("Pod", "p", "u2"), "ReplicaSet", "rs", "old-uid"));
    assertThat(names(plan.deletes())).containsExactly("p");
  }

  @Test
  void aReferenceToAKindNotListedHereNeverDeletes() {
    OwnerReferencesPlan plan = plan(ownedBy(object("Pod", "p", "u2"), "Job", "j", "u9"));
    assertThat(plan.deletes()).isEmpty();
    assertThat(plan.repoints()).isEmpty();
  }

  @Test
  void orphaningReleasesTheDependentsThenTheFinalizer() {
    ObjectNode rs = deleting(object("ReplicaSet", "rs", "u1"), "orphan", "example.com/other");
    OwnerReferencesPlan plan = plan(rs, ownedBy(object("Pod", "p", "u2"), "ReplicaSet", "rs", "u1"));
    assertThat(plan.deletes()).isEmpty();
    assertThat(plan.repoints()).hasSize(1);
    assertThat(plan.repoints().get(0).owners()).isEmpty();
    assertThat(plan.unfinalizes()).as("a dependent still names it").isEmpty();

    OwnerReferencesPlan released = plan(rs, object("Pod", "p", "u2"));
    assertThat(released.unfinalizes()).hasSize(1);
    assertThat(released.unfinalizes().get(0).finalizer()).isEqualTo("orphan");
    assertThat(OwnerReferencesPlan.finalizersWithout(rs, "orphan")).hasSize(1);
    assertThat(OwnerReferencesPlan.finalizersWithout(rs, "orphan").get(0).asString()).isEqualTo("example.com/other");
  }

  @Test
  void foregroundDeletesTheDependentsFirstAndLetsTheOwnerGoOnlyWhenNoneIsLeft() {
    ObjectNode rs = deleting(object("ReplicaSet", "rs", "u1"), "foregroundDeletion");
    OwnerReferencesPlan plan = plan(rs, ownedBy(object("Pod", "p", "u2"), "ReplicaSet", "rs", "u1"));
    assertThat(names(plan.deletes())).containsExactly("p");
    assertThat(plan.unfinalizes()).isEmpty();

    ObjectNode terminating = deleting(ownedBy(object("Pod", "p", "u2"), "ReplicaSet", "rs", "u1"));
    OwnerReferencesPlan waiting = plan(rs, terminating);
    assertThat(waiting.deletes()).as("already on its way out").isEmpty();
    assertThat(waiting.unfinalizes()).as("it still exists").isEmpty();

    assertThat(plan(rs).unfinalizes()).extracting(OwnerReferencesPlan.Unfinalize::finalizer)
        .containsExactly("foregroundDeletion");
  }

  @Test
  void aDependentWithAnotherLiveOwnerOnlyLetsGoOfTheOneDeletingInForeground() {
    ObjectNode rs = deleting(object("ReplicaSet", "rs", "u1"), "foregroundDeletion");
    OwnerReferencesPlan plan = plan(rs, object("Deployment", "d", "u0"),
        ownedBy(ownedBy(object("Pod", "p", "u2"), "ReplicaSet", "rs", "u1"), "Deployment", "d", "u0"));
    assertThat(plan.deletes()).isEmpty();
    assertThat(plan.repoints()).hasSize(1);
    assertThat(plan.repoints().get(0).owners().get(0).path("uid").asString()).isEqualTo("u0");
  }

  @Test
  void onlyDeletionsFinalizersOfOursAndObjectsWithOwnersWakeTheCollector() {
    assertThat(GarbageCollector.matters("MODIFIED", object("Pod", "p", "u"))).isFalse();
    assertThat(GarbageCollector.matters("DELETED", object("Pod", "p", "u"))).isTrue();
    assertThat(GarbageCollector.matters("ADDED", ownedBy(object("Pod", "p", "u"), "ReplicaSet", "r", "x"))).isTrue();
    assertThat(GarbageCollector.matters("MODIFIED", deleting(object("ReplicaSet", "r", "x"), "orphan"))).isTrue();
    assertThat(GarbageCollector.matters("MODIFIED", deleting(object("ReplicaSet", "r", "x"), "other"))).isFalse();
  }
}
