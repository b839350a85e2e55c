/**
 * kube-controller-manager's parts that run in {@code tug up}, over the resource layer through a
 * {@link dev.tugboat.control.controllers.LoopbackClient}: the node lifecycle controller (its pure rule in
 * {@link dev.tugboat.control.controllers.NodeHealth}).
 */
package dev.tugboat.control.controllers;
