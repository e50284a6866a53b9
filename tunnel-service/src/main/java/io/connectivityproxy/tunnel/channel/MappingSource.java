package io.connectivityproxy.tunnel.channel;

import java.util.List;

import io.connectivityproxy.tunnel.channel.ServiceMappingReader.MappingSet;

/** Where ServiceMapping resources come from: a watched file or the Kubernetes API. */
interface MappingSource {

    /** Receives each new state of a source; called from one thread at a time per source. */
    @FunctionalInterface
    interface Sink {
        /**
         * @param set            the mappings now in force from this source
         * @param sourceProblems what is wrong with the source itself (file missing or broken, API refusing)
         */
        void publish(MappingSet set, List<String> sourceProblems);
    }

    /** Starts following the source without blocking on it for long; publishes at least once. */
    void start();

    void stop();
}
