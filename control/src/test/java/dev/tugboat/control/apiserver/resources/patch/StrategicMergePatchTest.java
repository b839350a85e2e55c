package dev.tugboat.control.apiserver.resources.patch;

import static dev.tugboat.control.apiserver.resources.patch.PatchJson.j;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class StrategicMergePatchTest {

  private static final PatchSchema POD = PatchSchema.forKind("Pod");

  private static JsonNode pod(String target, String patch) {
    return StrategicMergePatch.apply(j(target), j(patch), POD);
  }

  private static final String TWO_CONTAINERS = "{'spec':{'containers':[{'name':'a','image':'x'},"
      + "{'name':'b','image':'y'}]}}";

  @Test
  void containersMergeByName() {
    assertThat(pod(TWO_CONTAINERS, "{'spec':{'containers':[{'name':'b','image':'z'}]}}"))
        .isEqualTo(j("{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'z'}]}}"));
  }

  @Test
  void newListElementsGoBeforeTheLiveOnesWithoutAnOrderDirective() {
    assertThat(pod(TWO_CONTAINERS, "{'spec':{'containers':[{'name':'c','image':'w'}]}}"))
        .isEqualTo(j("{'spec':{'containers':[{'name':'c','image':'w'},{'name':'a','image':'x'},"
            + "{'name':'b','image':'y'}]}}"));
  }

  @Test
  void setElementOrderPutsTheListInTheGivenOrder() {
    assertThat(pod(TWO_CONTAINERS, "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'},"
        + "{'name':'c'}],'containers':[{'name':'c','image':'w'}]}}"))
        .isEqualTo(j("{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'},"
            + "{'name':'c','image':'w'}]}}"));
    assertThat(pod(TWO_CONTAINERS, "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}}"))
        .isEqualTo(j("{'spec':{'containers':[{'name':'b','image':'y'},{'name':'a','image':'x'}]}}"));
  }

  @Test
  void patchDeleteRemovesAListElementByMergeKey() {
    assertThat(pod(TWO_CONTAINERS, "{'spec':{'containers':[{'name':'a','$patch':'delete'}]}}"))
        .isEqualTo(j("{'spec':{'containers':[{'name':'b','image':'y'}]}}"));
  }

  @Test
  void kubectlApplyRemovingAContainerSendsDeleteWithElementOrder() {
    String patch = "{'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}'}},"
        + "'spec':{'$setElementOrder/containers':[{'name':'a'}],'containers':[{'$patch':'delete','name':'b'}]}}";
    assertThat(pod(TWO_CONTAINERS, patch)).isEqualTo(j("{'spec':{'containers':[{'name':'a','image':'x'}]},"
        + "'metadata':{'annotations':{'kubectl.kubernetes.io/last-applied-configuration':'{}'}}}"));
  }

  @Test
  void patchReplaceInAListReplacesTheWholeList() {
    assertThat(pod(TWO_CONTAINERS, "{'spec':{'containers':[{'name':'z','image':'q'},{'$patch':'replace'}]}}"))
        .isEqualTo(j("{'spec':{'containers':[{'name':'z','image':'q'}]}}"));
  }

  @Test
  void patchReplaceAndDeleteInAMap() {
    String target = "{'metadata':{'labels':{'a':'1','b':'2'}}}";
    assertThat(pod(target, "{'metadata':{'labels':{'$patch':'replace','c':'3'}}}"))
        .isEqualTo(j("{'metadata':{'labels':{'c':'3'}}}"));
    assertThat(pod(target, "{'metadata':{'labels':{'$patch':'delete'}}}"))
        .isEqualTo(j("{'metadata':{'labels':{}}}"));
  }

  @Test
  void nullRemovesAField() {
    assertThat(pod("{'metadata':{'labels':{'a':'1','b':'2'}}}", "{'metadata':{'labels':{'a':null}}}"))
        .isEqualTo(j("{'metadata':{'labels':{'b':'2'}}}"));
    assertThat(pod("{'spec':{'activeDeadlineSeconds':5}}", "{'spec':{'activeDeadlineSeconds':null,'x':null}}"))
        .isEqualTo(j("{'spec':{}}"));
  }

  @Test
  void retainKeysClearsFieldsTheVolumeNoLongerUses() {
    String target = "{'spec':{'volumes':[{'name':'v','emptyDir':{}},{'name':'w','emptyDir':{}}]}}";
    String patch = "{'spec':{'volumes':[{'name':'v','$retainKeys':['hostPath','name'],"
        + "'hostPath':{'path':'/data'}}]}}";
    assertThat(pod(target, patch)).isEqualTo(j("{'spec':{'volumes':[{'name':'v','hostPath':{'path':'/data'}},"
        + "{'name':'w','emptyDir':{}}]}}"));
  }

  @Test
  void retainKeysMustListEveryPatchedField() {
    assertThatThrownBy(() -> pod("{'spec':{}}", "{'spec':{'$retainKeys':['a'],'b':1}}"))
        .isInstanceOf(PatchException.class).hasMessageContaining("retainKeys");
  }

  @Test
  void finalizersMergeAsASetAndDeleteFromPrimitiveListRemovesValues() {
    assertThat(pod("{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':['a','b']}}"))
        .isEqualTo(j("{'metadata':{'finalizers':['a','b']}}"));
    assertThat(pod("{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':['b']}}"))
        .isEqualTo(j("{'metadata':{'finalizers':['b','a']}}"));
    assertThat(pod("{'metadata':{'finalizers':['a','b','c']}}",
        "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b']}}"))
        .isEqualTo(j("{'metadata':{'finalizers':['a','c']}}"));
    assertThat(pod("{'metadata':{'finalizers':['a','b']}}",
        "{'metadata':{'$setElementOrder/finalizers':['b','a','c'],'finalizers':['c']}}"))
        .isEqualTo(j("{'metadata':{'finalizers':['b','a','c']}}"));
  }

  @Test
  void containerPortsMergeByContainerPortAndEnvByName() {
    String target = "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80},{'containerPort':443}],"
        + "'env':[{'name':'X','value':'1'},{'name':'Y','value':'2'}]}]}}";
    String patch = "{'spec':{'containers':[{'name':'a','ports':[{'containerPort':80,'name':'http'}],"
        + "'$setElementOrder/env':[{'name':'X'},{'name':'Y'}],'env':[{'name':'Y','value':'3'}]}]}}";
    assertThat(pod(target, patch)).isEqualTo(j("{'spec':{'containers':[{'name':'a',"
        + "'ports':[{'containerPort':80,'name':'http'},{'containerPort':443}],"
        + "'env':[{'name':'X','value':'1'},{'name':'Y','value':'3'}]}]}}"));
  }

  @Test
  void volumeMountsMergeByMountPath() {
    String target = "{'spec':{'containers':[{'name':'a','volumeMounts':[{'name':'v','mountPath':'/a'}]}]}}";
    String patch = "{'spec':{'containers':[{'name':'a','volumeMounts':[{'name':'w','mountPath':'/a'}]}]}}";
    assertThat(pod(target, patch)).isEqualTo(j("{'spec':{'containers':[{'name':'a',"
        + "'volumeMounts':[{'name':'w','mountPath':'/a'}]}]}}"));
  }

  @Test
  void listsWithoutAMergeStrategyAreReplaced() {
    assertThat(pod("{'spec':{'tolerations':[{'key':'a'}]}}", "{'spec':{'tolerations':[{'key':'b'}]}}"))
        .isEqualTo(j("{'spec':{'tolerations':[{'key':'b'}]}}"));
    assertThat(pod("{'spec':{'containers':[{'name':'a','args':['x','y']}]}}",
        "{'spec':{'containers':[{'name':'a','args':['z']}]}}"))
        .isEqualTo(j("{'spec':{'containers':[{'name':'a','args':['z']}]}}"));
  }

  @Test
  void aValueOfAnotherTypeReplacesTheField() {
    assertThat(pod("{'spec':{'x':{'a':1}}}", "{'spec':{'x':[1]}}")).isEqualTo(j("{'spec':{'x':[1]}}"));
    assertThat(pod("{'spec':{'x':'s'}}", "{'spec':{'x':{'a':1}}}")).isEqualTo(j("{'spec':{'x':{'a':1}}}"));
  }

  @Test
  void podStatusConditionsMergeByType() {
    String target = "{'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'PodScheduled',"
        + "'status':'True'}]}}";
    assertThat(pod(target, "{'status':{'conditions':[{'type':'Ready','status':'True'}]}}"))
        .isEqualTo(j("{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'PodScheduled',"
            + "'status':'True'}]}}"));
  }

  @Test
  void deploymentTemplateContainersMergeByName() {
    PatchSchema deployment = PatchSchema.forKind("Deployment");
    JsonNode result = StrategicMergePatch.apply(
        j("{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}}}}"),
        j("{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'x2'}]}}}}"), deployment);
    assertThat(result).isEqualTo(j("{'spec':{'template':{'spec':{'containers':[{'name':'a','image':'x2'},"
        + "{'name':'b','image':'y'}]}}}}"));
  }

  @Test
  void servicePortsMergeByPort() {
    JsonNode result = StrategicMergePatch.apply(
        j("{'spec':{'ports':[{'port':80,'targetPort':8080},{'port':443}]}}"),
        j("{'spec':{'ports':[{'port':80,'targetPort':9090}]}}"), PatchSchema.forKind("Service"));
    assertThat(result).isEqualTo(j("{'spec':{'ports':[{'port':80,'targetPort':9090},{'port':443}]}}"));
  }

  @Test
  void directivesInNewFieldsAreResolvedNotStored() {
    assertThat(pod("{'spec':{}}", "{'spec':{'containers':[{'name':'a','image':'x'},{'name':'b','$patch':'delete'}]}}"))
        .isEqualTo(j("{'spec':{'containers':[{'name':'a','image':'x'}]}}"));
  }

  @Test
  void malformedPatchesAreInvalidInput() {
    for (String patch : new String[] {"[1]", "{'spec':{'$patch':'explode'}}",
        "{'spec':{'containers':[{'image':'no-name'}]}}", "{'spec':{'containers':[{'name':'a','$patch':'merge'}]}}",
        "{'metadata':{'$deleteFromPrimitiveList/finalizers':'a'}}"}) {
      assertThatThrownBy(() -> pod(TWO_CONTAINERS, patch)).isInstanceOf(PatchException.class)
          .matches(e -> ((PatchException) e).invalidInput(), "invalid input: " + patch);
    }
  }

  @Test
  void leavesItsArgumentsUnchanged() {
    JsonNode target = j(TWO_CONTAINERS);
    JsonNode patch = j("{'spec':{'containers':[{'name':'a','$patch':'delete'}]}}");
    StrategicMergePatch.apply(target, patch, POD);
    assertThat(target).isEqualTo(j(TWO_CONTAINERS));
    assertThat(patch).isEqualTo(j("{'spec':{'containers':[{'name':'a','$patch':'delete'}]}}"));
  }
}
