package io.connectivityproxy.operator.dependent;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.connectivityproxy.operator.config.OperatorConfig;
import io.connectivityproxy.operator.model.WorkloadImages;

/** The workload images from the operator configuration. */
@ApplicationScoped
public class ImagesProvider {

    @Inject
    OperatorConfig config;

    public WorkloadImages get() {
        return new WorkloadImages(config.proxyImage(), config.tunnelImage(), config.imagePullPolicy());
    }
}
