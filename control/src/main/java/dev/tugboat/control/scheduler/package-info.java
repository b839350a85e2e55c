/**
 * kube-scheduler's part: {@link dev.tugboat.control.scheduler.PodPlacement} (pure: filters and the fewest-pods score)
 * and {@link dev.tugboat.control.scheduler.Scheduler}, which binds pending pods through pods/binding.
 */
package dev.tugboat.control.scheduler;
