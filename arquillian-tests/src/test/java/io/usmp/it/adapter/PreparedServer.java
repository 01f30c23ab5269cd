package io.usmp.it.adapter;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a test class needs from the server before its deployments, whatever the server: {@link ServerExtension}
 * has {@link Server#current()} prepare it before the class's first deployment and undo it after the last
 * undeploy (the server-neutral counterpart of WildFly's {@code @ServerSetup}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@interface PreparedServer {
    Server.Need[] value();
}
